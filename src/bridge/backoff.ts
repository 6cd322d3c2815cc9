/**
 * Reconnect pacing: exponential backoff with jitter, and a sleep that never
 * keeps the process alive and can be cut short.
 *
 * The jitter is "equal jitter" (a delay between half and all of the step)
 * rather than "full jitter" (zero to all): several MCP servers that lost the
 * app at the same moment still spread out, but none of them spins with
 * near-zero delays.
 */

export interface BackoffPolicy {
  /** Delay before the first retry, before jitter. */
  readonly initialMs: number;
  /** Upper bound of a step, before jitter. */
  readonly maxMs: number;
  readonly factor: number;
  /** Fraction of a step that is randomised: 0 = none, 0.5 = between half and all of it. */
  readonly jitter: number;
}

/** 200 ms doubling up to 5 s, each step randomised down by up to half. */
export const RECONNECT_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 5_000, factor: 2, jitter: 0.5 };

/** The delay before retry number `attempt` (0-based). `random` returns [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy = RECONNECT_BACKOFF, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  return Math.round(step * (1 - policy.jitter * random()));
}

/**
 * One interruptible, unref'd wait. `wake()` ends the current wait early (the
 * connect loop uses it when a caller arrives and should not wait out a 5 s step).
 */
export class Sleeper {
  private current: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

  sleep(ms: number): Promise<void> {
    this.wake();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.current = undefined;
        resolve();
      }, ms);
      timer.unref();
      this.current = { timer, resolve };
    });
  }

  /** True when a wait was in progress and has now ended. */
  wake(): boolean {
    const current = this.current;
    if (current === undefined) return false;
    this.current = undefined;
    clearTimeout(current.timer);
    current.resolve();
    return true;
  }
}

/** `setTimeout` that does not keep an idle process alive. */
export function unrefTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(callback, ms);
  timer.unref();
  return timer;
}
