/**
 * The era-agnostic gate: how one MCP call gets the values of its secrets,
 * given the call (era, what the client can show, a retry's state) and the
 * parked Keyhold requests of this server. Every SDK adapter runs this; none
 * has a policy of its own.
 *
 *   1. A modern retry (`requestState`): open the sealed state (tampered,
 *      expired, replayed or foreign → `invalid_request`, nothing opens); the
 *      client declined → end the request (its window closes); else wait for
 *      the window's answer, then run the tool. No state-only rounds.
 *   2. Otherwise attach to the open request for the same names, or start one.
 *      Values at once (granted) → run. A window opens → by `planCall`:
 *      - `input_required`: answer now with a URL elicitation (the http link)
 *        or a message-only form, both carrying the code, and a sealed state;
 *      - `fail_fast` (legacy URL clients that asked for it): `-32042`;
 *      - `wait`: hold the call, with pushed elicitations / log / progress.
 *   3. A call the client gives up on (its timeout; any cancel where it cannot
 *      show an elicitation) leaves the request open for the next call
 *      (parked-requests.ts); an explicit cancel where it could have declined
 *      ends the request. A waiting call that would
 *      outlast the client's timeout returns `pending` first (`answerWithinMs`),
 *      saying what to do; the next call takes the answer.
 */
import type { PendingEvent } from '../../shared/bridge-protocol.js';
import { KeyholdError } from '../../shared/keyhold-error.js';
import type { KeyholdClient } from '../client.js';
import { GateError, StillWaitingError, promptOptions, type ResolvedGate } from './gate.js';
import { planCall, type Elicitation, type McpCall, type Suspension } from './mcp-call.js';
import { failFastMessage, windowNotice } from './messages.js';
import { noticesFor } from './notices.js';
import type { ParkedRequest, ParkedRequests } from './parked-requests.js';
import { argumentsDigest } from './request-state.js';

/** How long a waiting call holds by default before it returns `pending` (SDK clients time out at 60 s). */
export const DEFAULT_ANSWER_WITHIN_MS = 50_000;

/** Extra life of a sealed state past its window's deadline (the client's retry may arrive just after). */
const STATE_GRACE_MS = 5_000;

export type Acquired = { readonly values: Record<string, string> } | { readonly suspend: Suspension };

export interface FlowInput {
  readonly call: McpCall;
  readonly gate: ResolvedGate;
  /** The tool and its parsed arguments, which a sealed state is bound to. */
  readonly toolKey: string;
  readonly args: unknown;
  readonly client: KeyholdClient;
  readonly parked: ParkedRequests;
  /** How long a window waits (the gate's, else the helper's), for requests started here. */
  readonly timeoutMs: number;
  /** False where the caller cannot answer with a suspension (`keyhold.get()` in any handler): the call waits. */
  readonly suspendable?: boolean;
  /**
   * How long a call holds while a window is open before it returns the tool
   * error `pending` (the request stays open for the next call), so that it
   * still answers before the client's own timeout. Undefined: until the window ends.
   */
  readonly answerWithinMs?: number | undefined;
}

export async function acquireSecrets(input: FlowInput): Promise<Acquired> {
  const { call, gate, parked: registry } = input;
  const args = argumentsDigest(input.args);
  if (call.era === 'modern' && call.requestState !== undefined) {
    const claims = registry.sealer.open(call.requestState, { tool: input.toolKey, args });
    // Cancelled or timed out before this retry came: it gets that ending, not a generic timeout.
    const parked = registry.get(claims.parked) ?? registry.endedWithoutAnswer(claims.parked);
    if (parked === undefined) {
      throw new KeyholdError('timeout', 'The Keyhold request this retry continues has ended (its window timed out, or the server restarted).');
    }
    if (call.inputAnswer === 'decline' || call.inputAnswer === 'cancel') {
      parked.cancel();
      registry.collected(parked);
      throw new GateError(new KeyholdError('cancelled', 'The user declined the Keyhold request in the MCP client.'), 'declined');
    }
    return { values: await wait(input, parked, []) };
  }

  const existing = registry.attachable(gate.names);
  const parked = existing ?? registry.start(gate.names, promptOptions(gate), input.timeoutMs);
  let event: PendingEvent | undefined;
  try {
    event = parked.isSettled ? undefined : ((await raceCallSignal(parked.firstWindow(), call.signal)), parked.latestEvent);
  } catch (error) {
    clientLeft(call, registry, parked);
    throw error;
  }
  if (event === undefined) return { values: await wait(input, parked, []) };

  const link = input.client.requestLink(event);
  const plan = input.suspendable === false ? 'wait' : planCall(call, gate.failFast);
  if (plan === 'input_required') {
    const elicitation = elicitationFor(call, gate, event, link);
    if (elicitation !== undefined) {
      const requestState = registry.sealer.seal({ parked: parked.id, tool: input.toolKey, args }, parked.expiresAt + STATE_GRACE_MS);
      return { suspend: { kind: 'input_required', elicitation, requestState } };
    }
  }
  // failFast's retry (the request is already parked) waits for the answer, as 2025-era clients expect.
  if (plan === 'fail_fast' && link !== undefined && existing === undefined) {
    const elicitationId = parked.elicitationId ?? parked.id;
    if (parked.elicitationId === undefined) {
      parked.elicitationId = elicitationId;
      const complete = call.completeElicitation;
      if (complete !== undefined) parked.onSettled(() => void complete(elicitationId));
    }
    const message = windowNotice(gate, event, 'url');
    return { suspend: { kind: 'url_required', url: link, elicitationId, message, errorMessage: failFastMessage(gate) } };
  }
  return { values: await wait(input, parked, parked.events) };
}

/** Holds the call until the request settles; `shown` are windows to announce now, in order (later ones are announced as they open). */
async function wait(input: FlowInput, parked: ParkedRequest, shown: readonly PendingEvent[]): Promise<Record<string, string>> {
  const { call, client, parked: registry } = input;
  if (parked.isSettled) return collect(registry, parked);
  const notices = noticesFor({ call, subject: input.gate, decline: () => declined.abort() });
  const declined = new AbortController();
  const off = parked.onPending((event) => notices.opened(event, client.requestLink(event)));
  for (const event of [...shown]) notices.opened(event, client.requestLink(event));
  let withdraw = false;
  const budget = input.answerWithinMs === undefined ? undefined : new AbortController();
  const timer = budget === undefined ? undefined : setTimeout(() => budget.abort(), input.answerWithinMs);
  try {
    const settled = raceCallSignal(settledOf(parked), declined.signal, 'declined');
    await raceCallSignal(budget === undefined ? settled : raceCallSignal(settled, budget.signal, 'budget'), call.signal);
    return await collect(registry, parked);
  } catch (error) {
    if (declined.signal.aborted) {
      parked.cancel();
      registry.collected(parked);
      throw new GateError(new KeyholdError('cancelled', 'The user declined the Keyhold request in the MCP client.'), 'declined');
    }
    if (call.signal.aborted) {
      withdraw = true;
      clientLeft(call, registry, parked);
    }
    if (budget?.signal.aborted === true && !parked.isSettled) {
      withdraw = true;
      throw new StillWaitingError(parked.latestEvent?.verificationCode);
    }
    throw error;
  } finally {
    clearTimeout(timer);
    off();
    await notices.settled({ withdraw });
  }
}

/**
 * The client left the call before the user answered. A timeout (the client's
 * patience, not the user's choice) or a client that cannot show an
 * elicitation leaves the request open for the next call. An explicit cancel
 * from a client that could show the request (and so could have declined it)
 * ends it: its window closes.
 */
function clientLeft(call: McpCall, registry: ParkedRequests, parked: ParkedRequest): void {
  const canShow = call.abilities.url || call.abilities.form;
  const timedOut = /timed?[ -]?out/i.test(String(call.signal.reason ?? ''));
  if (!canShow || timedOut || parked.isSettled) return;
  parked.cancel();
  registry.collected(parked);
}

async function collect(registry: ParkedRequests, parked: ParkedRequest): Promise<Record<string, string>> {
  try {
    return await parked.result();
  } finally {
    registry.collected(parked);
  }
}

function settledOf(parked: ParkedRequest): Promise<void> {
  return new Promise((resolve) => parked.onSettled(resolve));
}

/** The elicitation a modern `input_required` carries, or undefined when this client can show none of them. */
function elicitationFor(call: McpCall, gate: ResolvedGate, event: PendingEvent, link: string | undefined): Elicitation | undefined {
  if (call.abilities.url && link !== undefined) return { mode: 'url', url: link, message: windowNotice(gate, event, 'url') };
  if (call.abilities.form) return { mode: 'form', message: windowNotice(gate, event, 'form') };
  return undefined;
}

/**
 * Settles with `work`, or rejects the moment the signal fires: the client
 * cancelled (or timed out) the call — the Keyhold request is left open —,
 * the user declined in the client, or the call's answer budget is spent.
 */
function raceCallSignal<T>(work: Promise<T>, signal: AbortSignal, cause: 'client_cancelled' | 'declined' | 'budget' = 'client_cancelled'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      if (cause === 'budget') return reject(new Error('answer budget spent'));
      const text = cause === 'declined' ? 'The user declined the Keyhold request in the MCP client.' : 'The MCP client cancelled the tool call.';
      reject(new GateError(new KeyholdError('cancelled', text), cause));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
