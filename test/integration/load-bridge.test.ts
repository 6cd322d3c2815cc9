/**
 * Load against a real `keyhold serve` process and the real keychain:
 *   - 50 clients × 1,000 granted reads, five rounds of fresh connections:
 *     no errors, every value right, RSS flat from round to round (no leak in
 *     sessions, grants, the value cache or the activity log), and the
 *     activity log stays small (repeated reads are counted, not written);
 *   - a prompt flood from one server is capped (`busy`) while another
 *     server's request still gets its window.
 * No speed is asserted here (machines are noisy): that is `npm run bench`.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { KeyholdClient, isKeyholdError, type PendingEvent } from '../../src/bridge/index.js';
import { ACTIVITY_FILE_NAME, UNATTENDED_ACTIVITY_FILE_NAME } from '../../src/main/core/activity-log.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { startServe } from '../../bench/serve-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const keychain = createSystemKeychain();
const tag = `${process.pid}${Date.now().toString(36)}`;
const MB = 1024 * 1024;
const CLIENTS = 50;
const READS = 1_000;
const ROUNDS = 5;

describe('load', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('50 clients × 1,000 reads, 5 rounds: 0 errors, RSS flat (no leak), activity log bounded (audit_log_flushing)', async (t) => {
    const home = await makeTempDir();
    cleanups.push(home.cleanup);
    const serve = await startServe({ home: home.path, policy: '*=allow_session' });
    cleanups.push(() => serve.stop());
    const server = `load-${tag}`;
    cleanups.push(() => keychain.delete(keychainService(server), 'token'));
    const open = (): KeyholdClient => new KeyholdClient({ server: { name: server }, url: serve.discovery.url, token: serve.discovery.token });
    const seeder = open();
    await seeder.request([{ name: 'token', label: 'Token', type: 'text', required: true, default: `load-value-${tag}` }]);
    await seeder.close();

    const rss: number[] = [];
    let errors = 0;
    let wrong = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const clients = Array.from({ length: CLIENTS }, open);
      await Promise.all(
        clients.map(async (client) => {
          for (let i = 0; i < READS; i += 1) {
            try {
              if ((await client.get(['token'])).token !== `load-value-${tag}`) wrong += 1;
            } catch {
              errors += 1;
            }
          }
          await client.close();
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      rss.push(await serve.rssBytes());
    }
    const series = rss.map((bytes) => `${(bytes / MB).toFixed(1)} MB`).join(' → ');
    t.diagnostic(`${ROUNDS} rounds of ${CLIENTS} × ${READS} reads; serve RSS after each: ${series}`);
    assert.equal(errors, 0, 'no request failed');
    assert.equal(wrong, 0, 'every read returned the stored value');
    // Round 1 pays for JIT and heap growth, and the heap breathes by ±25 MB between rounds; a leak of 1 KB
    // per request (50 MB per round, 150 MB over rounds 2-5) would still break this generous bound.
    const settled = rss[1] ?? 0;
    const last = rss[ROUNDS - 1] ?? 0;
    assert.ok(last - settled < 64 * MB, `RSS grew ${((last - settled) / MB).toFixed(1)} MB over rounds 2-${ROUNDS} (${series})`);

    assert.equal(await serve.stop(), 0);
    const files = await Promise.all([ACTIVITY_FILE_NAME, UNATTENDED_ACTIVITY_FILE_NAME].map((name) => readFile(join(home.path, name), 'utf8').catch(() => '')));
    const lines = files.join('').split('\n').filter((line) => line !== '');
    const reads = ROUNDS * CLIENTS * READS;
    assert.ok(lines.length < reads / 20, `${lines.length} activity lines for ${reads} reads: repeats are counted, not written one by one`);
  });

  it('prompt_flood: one server’s excess prompts get `busy`; another server’s request still gets its window', async () => {
    const home = await makeTempDir();
    cleanups.push(home.cleanup);
    // The flooding server's windows are never answered; everyone else's are.
    const serve = await startServe({ home: home.path, policy: 'flood-=hold,*=allow' });
    cleanups.push(() => serve.stop());
    const connect = (name: string): KeyholdClient => {
      const client = new KeyholdClient({ server: { name }, url: serve.discovery.url, token: serve.discovery.token, requestTimeoutMs: 60_000 });
      cleanups.push(() => client.close());
      return client;
    };
    const flooders = [0, 1, 2].map(() => connect(`flood-${tag}`));
    const field = { name: 'token', label: 'Token', type: 'text' as const, required: true, default: 'x' };
    const flood = flooders.flatMap((client) => Array.from({ length: 10 }, () => client.get(['token'], { fields: [field] }).then(() => 'ok', (e: unknown) => e)));
    // Let every flood request reach the broker before the other server asks.
    const deadline = Date.now() + 10_000;
    let busy = 0;
    while (busy < 21 && Date.now() < deadline) {
      const settled = await Promise.all(flood.map((p) => Promise.race([p, Promise.resolve('pending')])));
      busy = settled.filter((r) => isKeyholdError(r, 'busy')).length;
      if (busy < 21) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(busy, 21, '1 window showing + 8 waiting; the other 21 requests are refused with busy');

    const calm = connect(`calm-${tag}`);
    cleanups.push(() => keychain.delete(keychainService(`calm-${tag}`), 'token'));
    const pending: PendingEvent[] = [];
    const value = await calm.get(['token'], { fields: [{ ...field, default: 'calm-value' }], onPending: (event) => pending.push(event) });
    assert.equal(pending.length, 1, 'the other server got its window while the flood waits');
    assert.deepEqual(value, { token: 'calm-value' });
    for (const client of flooders) await client.close();
    const outcomes = await Promise.all(flood);
    assert.equal(outcomes.filter((r) => isKeyholdError(r, 'cancelled')).length, 9, 'the 9 accepted flood prompts end cancelled when their server goes');
    assert.ok(serve.alive());
  });
});
