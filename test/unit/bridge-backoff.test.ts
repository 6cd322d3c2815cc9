/**
 * The reconnect schedule: 200 ms doubling to a 5 s cap, each step jittered
 * down by at most half, and a sleep that can be cut short and never holds the
 * process open.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RECONNECT_BACKOFF, Sleeper, backoffDelay } from '../../src/bridge/backoff.js';

describe('bridge reconnect backoff', () => {
  it('without jitter (random → 0): 200, 400, 800, 1600, 3200, then 5000 for good', () => {
    const schedule = Array.from({ length: 9 }, (_, attempt) => backoffDelay(attempt, RECONNECT_BACKOFF, () => 0));
    assert.deepEqual(schedule, [200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000]);
  });

  it('with the most jitter (random → almost 1): about half of each step', () => {
    const schedule = Array.from({ length: 7 }, (_, attempt) => backoffDelay(attempt, RECONNECT_BACKOFF, () => 0.999_999));
    assert.deepEqual(schedule, [100, 200, 400, 800, 1600, 2500, 2500]);
  });

  it('every delay stays within [step/2, step] for any random value', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const step = Math.min(5000, 200 * 2 ** attempt);
      for (let i = 0; i < 200; i++) {
        const delay = backoffDelay(attempt);
        assert.ok(delay >= step / 2 && delay <= step, `attempt ${attempt}: ${delay} outside [${step / 2}, ${step}]`);
      }
    }
  });

  it('huge attempt numbers stay at the cap (no Infinity/NaN), negative ones at the start', () => {
    assert.equal(backoffDelay(10_000, RECONNECT_BACKOFF, () => 0), 5000);
    assert.equal(backoffDelay(-3, RECONNECT_BACKOFF, () => 0), 200);
  });

  it('Sleeper.wake ends the current wait early', async () => {
    const sleeper = new Sleeper();
    const started = Date.now();
    const waiting = sleeper.sleep(10_000);
    assert.equal(sleeper.wake(), true);
    await waiting;
    assert.ok(Date.now() - started < 1000);
    assert.equal(sleeper.wake(), false, 'nothing left to wake');
  });

  it('Sleeper waits do not keep the process alive (unref)', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = `import('${new URL('../../src/bridge/backoff.ts', import.meta.url).href}').then(({ Sleeper }) => { new Sleeper().sleep(60_000); })`;
    const started = Date.now();
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { timeout: 20_000 });
    assert.equal(result.status, 0, result.stderr.toString());
    assert.ok(Date.now() - started < 15_000, 'exited without waiting out the sleep');
  });
});
