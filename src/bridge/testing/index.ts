/**
 * `@keyhold/bridge/testing`: test your MCP server's use of Keyhold without the
 * app and without a keychain. `FakeKeyholdApp` runs the app's real core on a
 * loopback port, keeps secrets in memory, answers windows with scripted
 * decisions and records every window it showed (with its verification code).
 * Published as one bundle (the core included; see build-testing.mjs).
 */
export { FakeKeyholdApp } from './fake-app.js';
export type { FakeCall, FakeDecision, FakeKeyholdAppOptions, FakePrompt, FakePromptOutcome } from './fake-types.js';
export { FakeStore, type FakeStoreSource } from './fake-store.js';
