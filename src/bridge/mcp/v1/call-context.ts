/**
 * An `McpCall` from the request `extra` of `@modelcontextprotocol/sdk` 1.x.
 * SDK 1.x speaks the 2025-era protocol only: pushed elicitations, completion
 * notices, `-32042`, log entries where the client took the logging capability.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

import type { McpCall } from '../mcp-call.js';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export function callFromExtra(server: Server, extra: ToolExtra): McpCall {
  const elicitation = server.getClientCapabilities()?.elicitation;
  const url = elicitation?.url !== undefined;
  return {
    era: 'legacy',
    // SDK 1.x refuses a log notification itself when the server did not declare logging (declareLogging usually does).
    abilities: { url, form: elicitation !== undefined && (elicitation.form !== undefined || !url), log: true },
    signal: extra.signal,
    progressToken: extra._meta?.progressToken,
    inputAnswer: 'missing',
    notify: (notification) => extra.sendNotification(notification as ServerNotification).catch(() => undefined),
    elicit: (elicitation, options) =>
      server.elicitInput(
        elicitation.mode === 'url'
          ? { mode: 'url', url: elicitation.url, message: elicitation.message, elicitationId: elicitation.elicitationId ?? '' }
          : { mode: 'form', message: elicitation.message, requestedSchema: { type: 'object', properties: {} } },
        { relatedRequestId: extra.requestId, signal: options.signal, timeout: options.timeoutMs },
      ),
    completeElicitation: async (elicitationId) => {
      try {
        await server.createElicitationCompletionNotifier(elicitationId, { relatedRequestId: extra.requestId })();
      } catch {
        // The client went away or takes no completions; the window's answer still reaches the call.
      }
    },
  };
}
