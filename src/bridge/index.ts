/**
 * `@keyhold/bridge`: lets an MCP server ask the Keyhold desktop app for its API
 * keys. Values stay in the OS keychain until the user approves each use.
 *
 * The surface is deliberate and guarded by test/integration/bridge-package.test.ts:
 * the client, the error type with its pinned codes, the protocol types an MCP
 * server handles, and discovery for servers that want to check for the app.
 */
export { KeyholdClient } from './client.js';
export type { ChangeOptions, GetOptions, KeyholdClientOptions, PromptOptions, SecretStatus, ServerSecrets } from './client.js';
export { KeyholdError, isKeyholdError } from '../shared/keyhold-error.js';
export { ERROR_CODES } from '../shared/bridge-protocol.js';
export type { ErrorCode, FieldSpec, PendingEvent, SecretName } from '../shared/bridge-protocol.js';
export { discoverBridge, discoveryFilePath } from './discovery.js';
export type { BridgeEndpoint, DiscoveryOptions, EndpointSource, Environment } from './discovery.js';
