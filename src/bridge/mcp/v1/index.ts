/**
 * `@keyhold/bridge/mcp/v1`: gate tools of an `@modelcontextprotocol/sdk` 1.x
 * `McpServer` (an optional peer dependency) on secrets kept by Keyhold. SDK
 * 1.x speaks the 2025-era protocol only; for `@modelcontextprotocol/server`
 * 2.x and the 2026-07-28 era, use `@keyhold/bridge/mcp`.
 */
export { KeyholdMcp, toolError } from './keyhold-mcp.js';
export type { KeyholdMcpOptions, SecretToolExtra, SecretToolHandler, ToolArgs, ToolConfig } from './keyhold-mcp.js';
export type { ToolExtra } from './call-context.js';
export { SecretRejectedError } from '../gate.js';
export type { SecretGate, SecretValues } from '../gate.js';
export { keyholdRequestUrl } from '../messages.js';
export { REDACTED } from '../redact.js';
