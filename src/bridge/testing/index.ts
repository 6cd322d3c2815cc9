/**
 * `@keyhold/bridge/testing`: test your MCP server's use of Keyhold without the
 * app and without a keychain. `FakeKeyholdApp` speaks the real bridge
 * protocol on a loopback port, keeps secrets in memory, answers windows with
 * scripted decisions and records every window it showed (with its
 * verification code).
 */
export { FakeKeyholdApp } from './fake-app.js';
export type { FakeCall, FakeDecision, FakeKeyholdAppOptions, FakePrompt, FakePromptOutcome } from './fake-types.js';
export { FakeStore } from './fake-store.js';
