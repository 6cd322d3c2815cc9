/**
 * Keyhold requests that outlive the MCP call that started them.
 *
 * A person often needs longer than a client waits (SDK clients give up after
 * 60 s), and modern clients end the first call at once with `input_required`.
 * So a gated call does not own its Keyhold request: it starts one here (or
 * attaches to the open one for the same secret names) and waits on it. When
 * the call goes away — returned `input_required`, answered failFast `-32042`,
 * or was cancelled or timed out by the client — the request stays open until
 * its own deadline, and the next call for the same names attaches to it: no
 * second window. An answer that arrives while no call waits is kept for the
 * next such call within the request's lifetime (at least `MIN_LINGER_MS`);
 * so is a Deny. A timeout or a Cancel is nobody's answer: the next call
 * starts afresh.
 *
 * Only the user (Deny, Cancel in the window), the client declining the
 * elicitation, the request's own timeout, or `closeAll()` end a request. Each
 * answer is handed to the calls waiting then, or to the next one, once.
 */
import { randomBytes } from 'node:crypto';

import type { PendingEvent } from '../../shared/bridge-protocol.js';
import { isKeyholdError } from '../../shared/keyhold-error.js';
import type { GetOptions, KeyholdClient } from '../client.js';
import { RequestStateSealer } from './request-state.js';

/** How long an answer nobody collected yet is kept, at least (counted from the answer). */
export const MIN_LINGER_MS = 60_000;

type Outcome = { readonly values: Record<string, string> } | { readonly error: unknown };

export class ParkedRequest {
  readonly id = randomBytes(16).toString('base64url');
  /** Windows opened so far (entry, then approval), newest last. */
  readonly events: PendingEvent[] = [];
  /** The `elicitationId` of a legacy failFast round, for its completion notice. */
  elicitationId: string | undefined;
  private outcome: Outcome | undefined;
  private readonly settled: Promise<Outcome>;
  private readonly listeners = new Set<(event: PendingEvent) => void>();
  private readonly settleListeners = new Set<() => void>();

  constructor(
    readonly key: string,
    private readonly abort: AbortController,
    values: Promise<Record<string, string>>,
    private deadline: number,
  ) {
    this.settled = values.then(
      (v): Outcome => ({ values: v }),
      (error: unknown): Outcome => ({ error }),
    );
    void this.settled.then((outcome) => {
      this.outcome = outcome;
      for (const listener of this.settleListeners) listener();
    });
  }

  get isSettled(): boolean {
    return this.outcome !== undefined;
  }

  /** When the request's current window gives up. */
  get expiresAt(): number {
    return this.deadline;
  }

  get latestEvent(): PendingEvent | undefined {
    return this.events[this.events.length - 1];
  }

  /** The values, or the request's error (denied, cancelled, timeout …). */
  async result(): Promise<Record<string, string>> {
    const outcome = await this.settled;
    if ('values' in outcome) return outcome.values;
    throw outcome.error;
  }

  /** Resolves with the first window, or with undefined when the request settled without one (a grant, an error). */
  firstWindow(): Promise<PendingEvent | undefined> {
    const first = this.events[0];
    if (first !== undefined) return Promise.resolve(first);
    return new Promise((resolve) => {
      const off = this.onPending((event) => {
        off();
        offSettled();
        resolve(event);
      });
      const offSettled = this.onSettled(() => {
        off();
        offSettled();
        resolve(this.events[0]);
      });
    });
  }

  onPending(listener: (event: PendingEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onSettled(listener: () => void): () => void {
    if (this.outcome !== undefined) {
      queueMicrotask(listener);
      return () => undefined;
    }
    this.settleListeners.add(listener);
    return () => this.settleListeners.delete(listener);
  }

  /**
   * True when the request ended with values or a Deny: an answer the next call
   * may take. A timeout, a Cancel or a lost app is nobody's answer: the next
   * call starts afresh.
   */
  userDecided(): boolean {
    const outcome = this.outcome;
    return outcome !== undefined && ('values' in outcome || isKeyholdError(outcome.error, 'denied'));
  }

  /** Ends the Keyhold request (its window closes); waiting calls get `cancelled`. */
  cancel(): void {
    this.abort.abort();
  }

  opened(event: PendingEvent): void {
    this.events.push(event);
    this.deadline = event.expiresAt;
    for (const listener of [...this.listeners]) listener(event);
  }
}

export class ParkedRequests {
  readonly sealer = new RequestStateSealer();
  private readonly byId = new Map<string, ParkedRequest>();
  /** Ended without an answer, kept only for the retry that continues them (see `endedWithoutAnswer`). */
  private readonly unanswered = new Map<string, ParkedRequest>();

  constructor(
    private readonly client: KeyholdClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts a Keyhold `get` that no single call owns. */
  start(names: readonly string[], options: Omit<GetOptions, 'signal' | 'onPending'>, timeoutMs: number): ParkedRequest {
    const abort = new AbortController();
    // Pending events arrive on a later turn, once `parked` exists; `early` only guards the order.
    const target: { parked?: ParkedRequest; early: PendingEvent[] } = { early: [] };
    const values = this.client.get(names, {
      ...options,
      signal: abort.signal,
      onPending: (event) => (target.parked === undefined ? target.early.push(event) : target.parked.opened(event)),
    });
    const parked = new ParkedRequest(namesKey(names), abort, values, this.now() + timeoutMs);
    target.parked = parked;
    for (const event of target.early) parked.opened(event);
    this.byId.set(parked.id, parked);
    parked.onSettled(() => (parked.userDecided() ? this.expireLater(parked) : this.endedUnanswered(parked)));
    return parked;
  }

  /** The open (or answered, not yet collected) request for exactly these names. */
  attachable(names: readonly string[]): ParkedRequest | undefined {
    const key = namesKey(names);
    let found: ParkedRequest | undefined;
    for (const parked of this.byId.values()) if (parked.key === key) found = parked;
    return found;
  }

  get(id: string): ParkedRequest | undefined {
    return this.byId.get(id);
  }

  /**
   * A request that ended with nobody's answer (Cancel in the window, its
   * timeout, a lost app), by id: a modern retry whose state names it gets how
   * it ended ("closed without an answer"), not "timed out". New calls never
   * attach to it (they start afresh).
   */
  endedWithoutAnswer(id: string): ParkedRequest | undefined {
    return this.unanswered.get(id);
  }

  /** A call collected the request's answer: later calls start afresh. */
  collected(parked: ParkedRequest): void {
    this.byId.delete(parked.id);
    this.unanswered.delete(parked.id);
  }

  /** Cancels every request (their windows close). */
  closeAll(): void {
    for (const parked of this.byId.values()) parked.cancel();
    this.byId.clear();
    this.unanswered.clear();
  }

  get size(): number {
    return this.byId.size;
  }

  private endedUnanswered(parked: ParkedRequest): void {
    this.byId.delete(parked.id);
    this.unanswered.set(parked.id, parked);
    setTimeout(() => this.unanswered.delete(parked.id), MIN_LINGER_MS).unref();
  }

  private expireLater(parked: ParkedRequest): void {
    const linger = Math.max(parked.expiresAt - this.now(), MIN_LINGER_MS);
    setTimeout(() => {
      if (this.byId.get(parked.id) === parked) this.byId.delete(parked.id);
    }, linger).unref();
  }
}

const registries = new WeakMap<KeyholdClient, ParkedRequests>();

/** The parked requests of one bridge client: helpers that share a client (one per process) share them. */
export function parkedRequestsFor(client: KeyholdClient): ParkedRequests {
  let registry = registries.get(client);
  if (registry === undefined) {
    registry = new ParkedRequests(client);
    registries.set(client, registry);
  }
  return registry;
}

function namesKey(names: readonly string[]): string {
  return [...new Set(names)].sort().join('\u0000');
}
