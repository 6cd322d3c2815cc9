/**
 * An `McpCall` from the request context of `@modelcontextprotocol/server` 2.x:
 * the era from the request's `_meta` envelope (2026-07-28 requests carry
 * `io.modelcontextprotocol/protocolVersion`; 2025-era connections do not), the
 * client's abilities from the envelope (modern) or from `initialize` (legacy),
 * and the context's own notify / elicit for talking back.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  inputResponse,
  type ClientCapabilities,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';

import type { ClientAbilities, InputAnswer, McpCall } from '../mcp-call.js';

/** The key of Keyhold's entry in an `input_required` result's `inputRequests`. */
export const INPUT_KEY = 'keyhold';
const MODERN_FROM = '2026-07-28';

export function callFromContext(mcp: McpServer, ctx: ServerContext): McpCall {
  const envelope = (ctx.mcpReq.envelope ?? {}) as Record<string, unknown>;
  const version = envelope[PROTOCOL_VERSION_META_KEY] ?? mcp.server.getNegotiatedProtocolVersion();
  const era = typeof version === 'string' && version >= MODERN_FROM ? 'modern' : 'legacy';
  const capabilities = era === 'modern' ? (envelope[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) : mcp.server.getClientCapabilities();
  const log = era === 'modern' ? envelope[LOG_LEVEL_META_KEY] !== undefined : mcp.server.getCapabilities().logging !== undefined;
  const notify: McpCall['notify'] = (notification) => ctx.mcpReq.notify(notification).catch(() => undefined);
  const state = era === 'modern' ? stateOf(ctx) : undefined;
  const call: McpCall = {
    era,
    abilities: abilitiesOf(capabilities, log),
    signal: ctx.mcpReq.signal,
    progressToken: ctx.mcpReq._meta?.progressToken,
    requestState: state,
    inputAnswer: era === 'modern' ? answerOf(ctx) : 'missing',
    notify,
  };
  if (era === 'modern') return call;
  return {
    ...call,
    elicit: (elicitation, options) =>
      ctx.mcpReq.elicitInput(
        elicitation.mode === 'url'
          ? { mode: 'url', url: elicitation.url, message: elicitation.message, elicitationId: elicitation.elicitationId ?? '' }
          : { mode: 'form', message: elicitation.message, requestedSchema: { type: 'object', properties: {} } },
        { signal: options.signal, timeout: options.timeoutMs },
      ),
    completeElicitation: async (elicitationId) => {
      try {
        await mcp.server.createElicitationCompletionNotifier(elicitationId, { relatedRequestId: ctx.mcpReq.id })();
      } catch {
        // The client went away or takes no completions; the window's answer still reaches the call.
      }
    },
  };
}

/** An empty `elicitation: {}` means form mode (the spec's rule from before modes existed). */
export function abilitiesOf(capabilities: ClientCapabilities | undefined, log: boolean): ClientAbilities {
  const elicitation = capabilities?.elicitation;
  const url = elicitation?.url !== undefined;
  const form = elicitation !== undefined && (elicitation.form !== undefined || !url);
  return { url, form, log };
}

function stateOf(ctx: ServerContext): string | undefined {
  const state: unknown = ctx.mcpReq.requestState();
  if (state === undefined) return undefined;
  // A server-wide `requestState.verify` hook may have replaced the string with its own payload: not ours.
  return typeof state === 'string' ? state : '';
}

function answerOf(ctx: ServerContext): InputAnswer {
  const view = inputResponse(ctx.mcpReq.inputResponses, INPUT_KEY);
  return view.kind === 'elicit' ? view.action : 'missing';
}
