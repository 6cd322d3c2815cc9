/**
 * RefusalLog (src/main/core/refusal-log.ts): refused bridge connections are
 * logged once, then summarised at most once per interval, on a test clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RefusalLog } from '../../src/main/core/refusal-log.js';

function setup() {
  let now = 1_000_000;
  const lines: string[] = [];
  const timers: Array<{ at: number; run: () => void; cancelled: boolean }> = [];
  const log = new RefusalLog({
    log: (message) => lines.push(message),
    intervalMs: 10_000,
    now: () => now,
    setTimer: (run, ms) => {
      const timer = { at: now + ms, run, cancelled: false };
      timers.push(timer);
      return { cancel: () => void (timer.cancelled = true) };
    },
  });
  /** Moves the clock and runs the timers that came due. */
  const advance = (ms: number): void => {
    now += ms;
    for (const timer of timers.splice(0)) {
      if (timer.cancelled) continue;
      if (timer.at <= now) timer.run();
      else timers.push(timer);
    }
  };
  return { log, lines, advance };
}

describe('RefusalLog', () => {
  it('refused_connection_log_flood: 300 tokenless attempts print one line, then one summary per interval', () => {
    const { log, lines, advance } = setup();
    for (let i = 0; i < 300; i++) log.refused(401, 'missing or wrong token');
    assert.deepEqual(lines, ['refused a bridge connection (401): missing or wrong token']);
    advance(10_000);
    assert.deepEqual(lines.slice(1), ['refused 299 more bridge connections in the last 10 s: 401 ×299']);
    // Still knocking: counted into the next interval, summarised once more at its end.
    for (let i = 0; i < 50; i++) log.refused(403, 'a browser');
    log.refused(401, 'missing or wrong token');
    assert.equal(lines.length, 2);
    advance(10_000);
    assert.deepEqual(lines.slice(2), ['refused 51 more bridge connections in the last 10 s: 403 ×50, 401 ×1']);
    // A quiet interval closes the summary; the next refusal is logged in full again.
    advance(10_000);
    assert.equal(lines.length, 3);
    log.refused(403, 'a browser');
    assert.deepEqual(lines.slice(3), ['refused a bridge connection (403): a browser']);
  });

  it('flush writes the pending summary at once (on stop), and nothing when there is none', () => {
    const { log, lines, advance } = setup();
    log.flush();
    log.refused(401, 'missing or wrong token');
    log.flush();
    assert.equal(lines.length, 1, 'one refusal: nothing to summarise');
    log.refused(401, 'missing or wrong token');
    log.refused(401, 'missing or wrong token');
    advance(3_000);
    log.flush();
    assert.deepEqual(lines.slice(1), ['refused a bridge connection (401): missing or wrong token', 'refused 1 more bridge connection in the last 3 s: 401 ×1']);
    advance(20_000);
    assert.equal(lines.length, 3, 'the flushed interval does not summarise again');
  });
});
