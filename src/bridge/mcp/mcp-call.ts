/**
 * One MCP tool call as the era-agnostic gate sees it, whatever the SDK: which
 * protocol era it was sent in, what the client declared it can show, and the
 * few ways the gate may talk back. The per-SDK adapters (`v2/`, `v1/`) build
 * one from their request context; nothing here imports an MCP SDK.
 *
 * - modern: protocol 2026-07-28 and later. No server-to-client requests; the
 *   server asks for an out-of-band step by returning `input_required`, and the
 *   client retries with `inputResponses` + the echoed `requestState`. Logging
 *   only when the request asked for it (`io.modelcontextprotocol/logLevel`).
 * - legacy: 2025-11-25 and older. Pushed `elicitation/create` (URL mode with an
 *   `elicitationId` and a completion notice, or a form), `-32042` for failFast,
 *   log notices where the client took the logging capability.
 */
export type ProtocolEra = 'modern' | 'legacy';

/** What the client of this call can be shown. */
export interface ClientAbilities {
  /** URL-mode elicitation. */
  readonly url: boolean;
  /** Form-mode elicitation (Keyhold only ever sends a message-only form). */
  readonly form: boolean;
  /** `notifications/message` may be sent for this call. */
  readonly log: boolean;
}

/** The client's answer to the elicitation of a previous round (modern retries). */
export type InputAnswer = 'accept' | 'decline' | 'cancel' | 'missing';

/** A URL-mode or message-only form elicitation, as the gate wants it shown. */
export type Elicitation =
  | { readonly mode: 'url'; readonly url: string; readonly message: string }
  | { readonly mode: 'form'; readonly message: string };

export interface McpNotification {
  readonly method: string;
  readonly params: Record<string, unknown>;
}

export interface McpCall {
  readonly era: ProtocolEra;
  readonly abilities: ClientAbilities;
  /** Aborted when the client cancels the call (or gives up on it: its timeout sends the same cancellation). */
  readonly signal: AbortSignal;
  readonly progressToken?: string | number | undefined;
  /** Modern retry: the state we minted for the previous round, echoed by the client (untrusted). */
  readonly requestState?: string | undefined;
  /** Modern retry: the client's answer to the elicitation we asked for. */
  readonly inputAnswer: InputAnswer;
  /** Sends a notification related to this call (progress, log). Never rejects. */
  notify(notification: McpNotification): Promise<void>;
  /** Legacy only: pushes `elicitation/create` related to this call. */
  elicit?(elicitation: Elicitation & { readonly elicitationId?: string }, options: { signal: AbortSignal; timeoutMs: number }): Promise<{ action: string }>;
  /** Legacy only: `notifications/elicitation/complete` for a URL elicitation. Never rejects. */
  completeElicitation?(elicitationId: string): Promise<void>;
}

/**
 * What a call that needs the user returns instead of a result, for the adapter
 * to put on the wire in its SDK's form: modern `input_required` (with the
 * elicitation and the sealed state), or legacy failFast (`-32042`).
 */
export type Suspension =
  | { readonly kind: 'input_required'; readonly elicitation: Elicitation; readonly requestState: string }
  | { readonly kind: 'url_required'; readonly url: string; readonly elicitationId: string; readonly message: string; readonly errorMessage: string };

/** What the gate does for this call when the user must answer a window. */
export type CallPlan = 'input_required' | 'fail_fast' | 'wait';

/**
 * The one policy table. Modern clients that can show an elicitation get
 * `input_required` (URL when declared, else a message-only form); legacy URL
 * clients with `failFast` get `-32042`; everyone else waits in the call (with
 * pushed elicitations in the legacy era, progress and log notices where allowed).
 */
export function planCall(call: Pick<McpCall, 'era' | 'abilities'>, failFast: boolean): CallPlan {
  if (call.era === 'modern') return call.abilities.url || call.abilities.form ? 'input_required' : 'wait';
  return failFast && call.abilities.url ? 'fail_fast' : 'wait';
}
