/** Clock hooks: a ticking "now" and a countdown to a deadline. */
import { useEffect, useState } from 'react';

import { formatMmSs } from './format.js';

/** The current time, re-rendered every `intervalMs` (aligned to whole intervals so every display ticks together). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const tick = (): void => {
      const current = Date.now();
      setNow(current);
      timer = setTimeout(tick, intervalMs - (current % intervalMs) + 5);
    };
    timer = setTimeout(tick, intervalMs - (Date.now() % intervalMs) + 5);
    return () => clearTimeout(timer);
  }, [intervalMs]);
  return now;
}

export interface Countdown {
  readonly remainingMs: number;
  /** "mm:ss". */
  readonly text: string;
  readonly expired: boolean;
  /** Less than a minute left: worth drawing attention to. */
  readonly urgent: boolean;
}

export function useCountdown(expiresAt: number): Countdown {
  const [now, setNow] = useState(() => Date.now());
  // Ticks when the remaining time crosses a whole second, so "mm:ss" changes exactly once a second.
  useEffect(() => {
    const remaining = expiresAt - now;
    if (remaining <= 0) return undefined;
    const timer = setTimeout(() => setNow(Date.now()), (remaining % 1000 || 1000) + 5);
    return () => clearTimeout(timer);
  }, [expiresAt, now]);
  const remainingMs = Math.max(0, expiresAt - now);
  return { remainingMs, text: formatMmSs(remainingMs), expired: remainingMs <= 0, urgent: remainingMs < 60_000 };
}
