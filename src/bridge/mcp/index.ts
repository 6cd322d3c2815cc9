/**
 * `@keyhold/bridge/mcp`: gate MCP tools on secrets kept by Keyhold, for
 * `@modelcontextprotocol/server` 2.x (an optional peer dependency), in both
 * protocol eras (2026-07-28 and 2025-11-25). For `@modelcontextprotocol/sdk`
 * 1.x use `@keyhold/bridge/mcp/v1`; for fastmcp, `@keyhold/bridge/fastmcp`.
 */
export { KeyholdMcp, toolError } from './v2/keyhold-mcp.js';
export type { KeyholdMcpOptions } from './v2/keyhold-mcp.js';
export type { GatedResult, InputSchema, SecretContext, SecretToolHandler, ToolArgs, ToolConfig } from './v2/types.js';
export { SecretRejectedError } from './gate.js';
export type { SecretGate, SecretValues } from './gate.js';
export { keyholdRequestUrl } from './messages.js';
export { REDACTED } from './redact.js';
