/**
 * The connect/redial state machine, with fake connections instead of sockets:
 * lazy first dial, one attempt shared by concurrent callers, retries with
 * backoff while the app is down, fatal errors surfaced at once, the caller's
 * wait bounded by connectTimeoutMs, background redial after a loss, close().
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Connector, type Closable } from '../../src/bridge/connector.js';
import { KeyholdError, isKeyholdError } from '../../src/shared/keyhold-error.js';

class FakeConnection implements Closable {
  isOpen = true;
  closeCalls = 0;
  constructor(readonly n: number) {}
  async close(): Promise<void> {
    this.closeCalls++;
    this.isOpen = false;
  }
}

const notRunning = (): KeyholdError => new KeyholdError('unavailable', 'The Keyhold app is not running: test.');

/** A connector whose attempts follow `script` (an error to throw, or 'ok'), with no jitter and short steps. */
function scripted(script: Array<KeyholdError | 'ok'>, options: { connectTimeoutMs?: number } = {}) {
  const attempts: number[] = [];
  const started = Date.now();
  let made = 0;
  const connector = new Connector<FakeConnection>({
    connectTimeoutMs: options.connectTimeoutMs ?? 2_000,
    backoff: { initialMs: 20, maxMs: 80, factor: 2, jitter: 0 },
    timeoutError: (last) => last ?? new KeyholdError('unavailable', 'nothing answered'),
    open: async () => {
      attempts.push(Date.now() - started);
      const step = script.shift() ?? 'ok';
      if (step !== 'ok') throw step;
      return new FakeConnection(++made);
    },
  });
  return { connector, attempts };
}

describe('bridge connector', () => {
  it('dials nothing until the first call (lazy)', async () => {
    const { connector, attempts } = scripted([]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(attempts.length, 0);
    assert.equal(connector.connection, undefined);
    const connection = await connector.connected();
    assert.equal(connection.n, 1);
    assert.equal(attempts.length, 1);
    await connector.close();
  });

  it('concurrent callers share one attempt and one connection', async () => {
    const { connector, attempts } = scripted([]);
    const [a, b, c] = await Promise.all([connector.connected(), connector.connected(), connector.connected()]);
    assert.equal(attempts.length, 1);
    assert.ok(a === b && b === c);
    assert.equal(await connector.connected(), a, 'reuses the open connection');
    await connector.close();
  });

  it('retries with backoff while the app is not running, then connects', async () => {
    const { connector, attempts } = scripted([notRunning(), notRunning(), notRunning(), 'ok']);
    const connection = await connector.connected();
    assert.equal(connection.n, 1);
    assert.equal(attempts.length, 4);
    const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] ?? 0));
    // 20, 40, 80 ms steps (timers may fire a little late, never early).
    const [first = 0, second = 0, third = 0] = gaps;
    assert.ok(first >= 18 && second >= 38 && third >= 78, `gaps ${gaps.join(', ')}`);
    await connector.close();
  });

  it('a caller waits at most connectTimeoutMs, then gets the last failure (the "not running" message)', async () => {
    const { connector } = scripted(Array.from({ length: 1000 }, notRunning), { connectTimeoutMs: 150 });
    const started = Date.now();
    await assert.rejects(connector.connected(), (error: unknown) => {
      assert.ok(isKeyholdError(error, 'unavailable'));
      assert.match(error.message, /not running/);
      return true;
    });
    const waited = Date.now() - started;
    assert.ok(waited >= 140 && waited < 1000, `waited ${waited} ms`);
    await connector.close();
  });

  it('a wrong token or bad configuration fails at once, without waiting out the timeout', async () => {
    for (const code of ['unauthorized', 'invalid_request'] as const) {
      const { connector, attempts } = scripted([new KeyholdError(code, 'nope')], { connectTimeoutMs: 5_000 });
      const started = Date.now();
      await assert.rejects(connector.connected(), (error: unknown) => isKeyholdError(error, code));
      assert.ok(Date.now() - started < 1000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(attempts.length, 1, `${code}: no background retries after a fatal error`);
      // The next call tries again (bridge.json may hold a new token by then).
      assert.equal((await connector.connected()).n, 1);
      await connector.close();
    }
  });

  it('an aborted signal ends the wait with cancelled', async () => {
    const { connector } = scripted(Array.from({ length: 1000 }, notRunning));
    const controller = new AbortController();
    const waiting = connector.connected(controller.signal);
    setTimeout(() => controller.abort(), 30);
    await assert.rejects(waiting, (error: unknown) => isKeyholdError(error, 'cancelled'));
    await connector.close();
  });

  it('after a loss it redials in the background, before anyone asks', async () => {
    const { connector, attempts } = scripted(['ok', notRunning(), 'ok']);
    const first = await connector.connected();
    first.isOpen = false;
    connector.lost(first);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(attempts.length, 3, 'one failed redial, then a good one');
    assert.equal(connector.connection?.n, 2);
    await connector.close();
  });

  it('a caller arriving during a long backoff step cuts it short', async () => {
    const attempts: number[] = [];
    let failures = 3;
    const connector = new Connector<FakeConnection>({
      connectTimeoutMs: 2_000,
      backoff: { initialMs: 5_000, maxMs: 5_000, factor: 2, jitter: 0 },
      timeoutError: (last) => last ?? notRunning(),
      open: async () => {
        attempts.push(Date.now());
        if (failures-- > 0) throw notRunning();
        return new FakeConnection(1);
      },
    });
    const first = connector.connected().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The loop now sleeps 5 s; three more callers each wake it.
    failures = 0;
    const started = Date.now();
    const connection = await connector.connected();
    assert.ok(Date.now() - started < 500, 'did not wait out the 5 s step');
    assert.equal(connection.n, 1);
    await first;
    await connector.close();
  });

  it('close() fails waiting callers with cancelled, closes the connection, and later calls fail', async () => {
    const { connector } = scripted(Array.from({ length: 1000 }, notRunning));
    const waiting = connector.connected();
    await connector.close();
    await assert.rejects(waiting, (error: unknown) => isKeyholdError(error, 'cancelled'));
    await assert.rejects(connector.connected(), (error: unknown) => isKeyholdError(error, 'unavailable'));

    const open = scripted([]);
    const connection = await open.connector.connected();
    await open.connector.close();
    assert.equal(connection.closeCalls, 1);
  });
});
