/**
 * 2025-era clients without elicitation get the verification code as a log
 * entry, which needs the logging capability. Declared only before the server
 * is connected and only when the server did not declare logging itself; its
 * `logging/setLevel` handler accepts any level. (On 2026-07-28 requests the
 * notice is logged only when the request carried a log level.)
 */
import type { McpServer } from '@modelcontextprotocol/server';

export function declareLogging(mcp: McpServer): void {
  if (mcp.isConnected() || mcp.server.getCapabilities().logging !== undefined) return;
  try {
    mcp.server.registerCapabilities({ logging: {} });
    mcp.server.setRequestHandler('logging/setLevel', () => ({}));
  } catch {
    // A handler exists already: the server handles logging itself.
  }
}
