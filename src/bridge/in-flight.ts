/**
 * Requests sent on the current connection and not yet answered, by id. Taking
 * an entry out (reply, timeout, abort, connection loss) disposes its timer and
 * abort listener, so each request settles exactly once.
 */
import type { PendingEvent, RequestType } from '../shared/bridge-protocol.js';
import type { KeyholdError } from '../shared/keyhold-error.js';

export interface InFlightRequest {
  readonly id: string;
  readonly type: RequestType;
  /** The connection the request was sent on. */
  readonly connection: object;
  readonly onPending: ((event: PendingEvent) => void) | undefined;
  /** Takes the raw `result` of an `ok: true` reply; checks it against the type's schema. */
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: KeyholdError) => void;
  /** Clears the request's timer and abort listener. */
  readonly dispose: () => void;
}

export class InFlightRequests {
  private readonly byId = new Map<string, InFlightRequest>();

  /** `onBusyChange(true)` when the first request starts, `(false)` when the last one ends. */
  constructor(private readonly onBusyChange: (busy: boolean) => void) {}

  get size(): number {
    return this.byId.size;
  }

  add(request: InFlightRequest): void {
    this.byId.set(request.id, request);
    if (this.byId.size === 1) this.onBusyChange(true);
  }

  peek(id: string): InFlightRequest | undefined {
    return this.byId.get(id);
  }

  /** Removes and disposes the request; undefined when it already settled. */
  take(id: string): InFlightRequest | undefined {
    const request = this.byId.get(id);
    if (request === undefined) return undefined;
    this.byId.delete(id);
    request.dispose();
    if (this.byId.size === 0) this.onBusyChange(false);
    return request;
  }

  /** Rejects every request (client closed), or those sent on `connection` (it was lost). */
  failAll(error: KeyholdError, connection?: object): void {
    for (const [id, request] of [...this.byId]) {
      if (connection === undefined || request.connection === connection) this.take(id)?.reject(error);
    }
  }
}
