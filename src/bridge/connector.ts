/**
 * Keeps one connection to the app and gets a new one when it is lost.
 *
 * - Lazy: nothing is dialled until the first `connected()` call.
 * - After a loss the connector redials in the background with backoff
 *   (200 ms doubling to 5 s, jittered) until it succeeds, the error is not
 *   worth retrying (bad token, bad configuration), or `close()`.
 * - A caller that arrives while disconnected cuts the current backoff short
 *   (one immediate attempt, then the schedule restarts from 200 ms) and waits
 *   at most `connectTimeoutMs`; then it gets the last failure, which for a
 *   missing app is the "not running" message.
 * - Backoff timers are unref'd: a background redial never keeps a process
 *   alive. A waiting caller's own timer is ref'd, so `await client.get()` in a
 *   script does not end with the process exiting under it.
 *
 * Generic over the connection type so it can be tested without sockets.
 */
import { KeyholdError } from '../shared/keyhold-error.js';
import { RECONNECT_BACKOFF, Sleeper, backoffDelay, type BackoffPolicy } from './backoff.js';

export interface Closable {
  readonly isOpen: boolean;
  close(): Promise<void>;
}

export interface ConnectorOptions<C extends Closable> {
  /** One attempt: discover, dial, hello. Rejects with a KeyholdError. */
  readonly open: () => Promise<C>;
  readonly connectTimeoutMs: number;
  /** The error for a caller whose wait ran out; `last` is the latest failed attempt, if any. */
  readonly timeoutError: (last: KeyholdError | undefined) => KeyholdError;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
}

interface Waiter<C> {
  readonly resolve: (connection: C) => void;
  readonly reject: (error: KeyholdError) => void;
}

/** Failures that another attempt could fix: the app is not up yet, or is busy. */
export function isRetryable(error: KeyholdError): boolean {
  return error.code === 'unavailable' || error.code === 'busy' || error.code === 'timeout';
}

export class Connector<C extends Closable> {
  private current: C | undefined;
  private looping = false;
  private attempt = 0;
  private lastFailure: KeyholdError | undefined;
  private closed = false;
  private readonly waiters = new Set<Waiter<C>>();
  private readonly sleeper = new Sleeper();

  constructor(private readonly options: ConnectorOptions<C>) {}

  /** The open connection, if there is one right now. */
  get connection(): C | undefined {
    return this.current?.isOpen === true ? this.current : undefined;
  }

  /** Resolves with an open connection, dialling or waiting for a redial as needed. */
  connected(signal?: AbortSignal): Promise<C> {
    if (this.closed) return Promise.reject(closedError());
    const open = this.connection;
    if (open !== undefined) return Promise.resolve(open);
    return new Promise<C>((resolve, reject) => {
      const finish = (): void => {
        this.waiters.delete(waiter);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter<C> = {
        resolve: (connection) => {
          finish();
          resolve(connection);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      };
      const timer = setTimeout(() => waiter.reject(this.options.timeoutError(this.lastFailure)), this.options.connectTimeoutMs);
      const onAbort = (): void => waiter.reject(abortedError(signal));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      this.attempt = 0;
      if (!this.looping) void this.loop(0);
      else this.sleeper.wake();
    });
  }

  /** Reports that `connection` ended; starts redialling in the background. */
  lost(connection: C): void {
    if (connection !== this.current) return;
    this.current = undefined;
    if (this.closed || this.looping) return;
    this.attempt = 0;
    void this.loop(this.nextDelay());
  }

  /** Stops redialling, fails waiting callers with `cancelled`, closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sleeper.wake();
    const error = new KeyholdError('cancelled', 'The KeyholdClient was closed while waiting for the Keyhold app.');
    for (const waiter of [...this.waiters]) waiter.reject(error);
    const connection = this.current;
    this.current = undefined;
    await connection?.close();
  }

  private async loop(firstDelayMs: number): Promise<void> {
    this.looping = true;
    try {
      if (firstDelayMs > 0) await this.sleeper.sleep(firstDelayMs);
      while (!this.closed) {
        let connection: C;
        try {
          connection = await this.options.open();
        } catch (error) {
          const failure = asKeyholdError(error);
          this.lastFailure = failure;
          if (!isRetryable(failure)) {
            for (const waiter of [...this.waiters]) waiter.reject(failure);
            return;
          }
          await this.sleeper.sleep(this.nextDelay());
          continue;
        }
        if (this.closed) {
          await connection.close();
          return;
        }
        this.current = connection;
        this.lastFailure = undefined;
        this.attempt = 0;
        for (const waiter of [...this.waiters]) waiter.resolve(connection);
        return;
      }
    } finally {
      this.looping = false;
    }
  }

  private nextDelay(): number {
    return backoffDelay(this.attempt++, this.options.backoff ?? RECONNECT_BACKOFF, this.options.random);
  }
}

export function closedError(): KeyholdError {
  return new KeyholdError('unavailable', 'This KeyholdClient has been closed; create a new one.');
}

/** `cancelled`, with the signal's reason kept as the cause (it is never put in the message). */
export function abortedError(signal: AbortSignal | undefined): KeyholdError {
  return new KeyholdError('cancelled', 'The request was cancelled: its AbortSignal fired.', { cause: signal?.reason });
}

function asKeyholdError(error: unknown): KeyholdError {
  if (error instanceof KeyholdError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new KeyholdError('unavailable', `Could not connect to the Keyhold app: ${message.slice(0, 300)}`, { cause: error });
}
