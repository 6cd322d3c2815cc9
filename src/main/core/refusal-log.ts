/**
 * Log lines about refused bridge connections (no token, a browser's Origin,
 * a wrong Host), rate-limited: in `keyhold serve` they go to the terminal a
 * prompt is asked in, and any local process can knock as often as it likes.
 *
 * The first refusal is logged as it happens; the ones after it within the
 * interval are counted, and at the end of the interval one line says how
 * many ("refused 299 more bridge connections in the last 10 s: 401 ×299").
 * While refusals keep coming that is one line per interval; after a quiet
 * interval the next refusal is logged in full again. `flush()` (at stop)
 * writes a pending summary at once.
 */
export const REFUSAL_SUMMARY_INTERVAL_MS = 10_000;

export interface RefusalLogOptions {
  readonly log: (message: string) => void;
  readonly intervalMs?: number;
  readonly now?: () => number;
  /** Default: an unref'd setTimeout. Tests pass their own clock. */
  readonly setTimer?: (run: () => void, ms: number) => { cancel(): void };
}

export class RefusalLog {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly setTimer: NonNullable<RefusalLogOptions['setTimer']>;
  /** The open interval: when it started, and the refusals counted in it by status. */
  private window: { start: number; counts: Map<number, number>; timer: { cancel(): void } } | undefined;

  constructor(private readonly options: RefusalLogOptions) {
    this.intervalMs = options.intervalMs ?? REFUSAL_SUMMARY_INTERVAL_MS;
    this.now = options.now ?? Date.now;
    this.setTimer =
      options.setTimer ??
      ((run, ms) => {
        const timer = setTimeout(run, ms);
        timer.unref();
        return { cancel: () => clearTimeout(timer) };
      });
  }

  refused(status: number, reason: string): void {
    if (this.window === undefined) {
      this.options.log(`refused a bridge connection (${status}): ${reason}`);
      this.open();
      return;
    }
    this.window.counts.set(status, (this.window.counts.get(status) ?? 0) + 1);
  }

  /** Writes the summary of the open interval now, if it counted anything, and closes it. */
  flush(): void {
    const window = this.window;
    if (window === undefined) return;
    window.timer.cancel();
    this.window = undefined;
    this.summarise(window);
  }

  private open(): void {
    this.window = { start: this.now(), counts: new Map(), timer: this.setTimer(() => this.intervalEnded(), this.intervalMs) };
  }

  private intervalEnded(): void {
    const window = this.window;
    if (window === undefined) return;
    this.window = undefined;
    // Refusals kept coming: a new interval starts (its first refusal is counted, not logged).
    if (this.summarise(window)) this.open();
  }

  /** True when there was something to say. */
  private summarise(window: { start: number; counts: Map<number, number> }): boolean {
    const total = [...window.counts.values()].reduce((sum, count) => sum + count, 0);
    if (total === 0) return false;
    const seconds = Math.max(1, Math.round((this.now() - window.start) / 1000));
    const byStatus = [...window.counts.entries()].map(([status, count]) => `${status} ×${count}`).join(', ');
    this.options.log(`refused ${total} more bridge connection${total === 1 ? '' : 's'} in the last ${seconds} s: ${byStatus}`);
    return true;
  }
}
