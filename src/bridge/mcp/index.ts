/**
 * `@keyhold/bridge/mcp`: gate MCP tools on secrets kept by Keyhold.
 * Needs `@modelcontextprotocol/sdk` (an optional peer dependency of
 * `@keyhold/bridge`): `KeyholdMcp` for its `McpServer`, `KeyholdFastMcp` for
 * `fastmcp` servers (typed structurally, no import of fastmcp).
 */
export { KeyholdMcp, PARKED_RESULT_TTL_MS, toolError } from './keyhold-mcp.js';
export type { KeyholdMcpOptions, SecretToolExtra, SecretToolHandler, ToolArgs, ToolConfig } from './keyhold-mcp.js';
export type { ToolExtra } from './announce.js';
export { SecretRejectedError } from './gate.js';
export type { SecretGate, SecretValues } from './gate.js';
export { keyholdRequestUrl } from './messages.js';
export { REDACTED } from './redact.js';
export { KeyholdFastMcp } from './fastmcp.js';
export type { FastMcpContextLike, FastMcpSecretContext, FastMcpToolError, KeyholdFastMcpOptions } from './fastmcp.js';
