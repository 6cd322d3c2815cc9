/**
 * How a request that waits for the simulated user ends early: every reason
 * is a `KeyholdError` (the request's timeout, a `cancel`, a disconnect, the
 * app stopping), and waiting races the work against the request's signal.
 *
 * The app's broker (src/main/core/broker.ts) has a race of its own, which
 * this package cannot import (it ships without src/main). The two differ in
 * small ways: this one rejects at once when the signal has already fired and
 * passes work errors through; the broker's re-checks the signal on settling.
 */
import { KeyholdError } from '../../shared/keyhold-error.js';

/** The error of a request nobody answered within `ms`. */
export function timeoutError(ms: number): KeyholdError {
  return new KeyholdError('timeout', `Nobody answered the Keyhold window within ${Math.max(1, Math.round(ms / 1000))} s.`);
}

/** The signal's reason if it is a `KeyholdError`, else `cancelled`. */
export function abortReason(signal: AbortSignal): KeyholdError {
  const reason: unknown = signal.reason;
  return reason instanceof KeyholdError ? reason : new KeyholdError('cancelled', 'The request was cancelled.');
}

/** Settles with `work`, or rejects with the abort reason as soon as the signal fires (at once if it has). */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
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
