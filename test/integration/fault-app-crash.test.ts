/**
 * The app dies in the middle of a request (SIGKILL: no shutdown, no goodbye
 * frame, a stale bridge.json left behind). The MCP server's KeyholdClient
 * must get a clean error well within its own timeout, and carry on by
 * itself, without a new client, once the app is back on a new port and token.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { KeyholdClient, isKeyholdError, type PendingEvent } from '../../src/bridge/index.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { startServe } from '../../bench/serve-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const keychain = createSystemKeychain();
const server = `crash-${process.pid}${Date.now().toString(36)}`;
const field = { name: 'token', label: 'Token', type: 'text' as const, required: true, default: 'after-the-crash' };

describe('fault: the app is killed mid-request', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await keychain.delete(keychainService(server), 'token');
  });

  it('app_crash_mid_request: SIGKILL → clean `unavailable` within the timeout; the client reconnects by itself when the app is back', async () => {
    const home = await makeTempDir();
    cleanups.push(home.cleanup);
    // First life: every window stays open, so the request is in the middle of being answered when the app dies.
    const first = await startServe({ home: home.path, policy: '*=hold' });
    cleanups.push(() => first.stop('SIGKILL'));
    const client = new KeyholdClient({ server: { name: server }, dataDir: home.path, env: {}, requestTimeoutMs: 60_000, connectTimeoutMs: 3_000 });
    cleanups.push(() => client.close());

    const opened = new Promise<PendingEvent>((resolve) => client.onPending(resolve));
    const reading = client.get(['token'], { fields: [field] }).then(
      () => assert.fail('a request to a dead app cannot succeed'),
      (error: unknown) => error,
    );
    await opened;
    const killedAt = Date.now();
    first.kill('SIGKILL');
    const error = await reading;
    const took = Date.now() - killedAt;
    assert.ok(isKeyholdError(error, 'unavailable'), `a KeyholdError unavailable, got ${String(error)}`);
    assert.match((error as Error).message, /closed the connection|not running|quit/i);
    assert.ok(took < 5_000, `the error came ${took} ms after the kill, far inside the 60 s request timeout`);

    // While the app is down: a quick, clear "not running", not a hang.
    const down = await client.status(['token']).catch((e: unknown) => e);
    assert.ok(isKeyholdError(down, 'unavailable'), 'unavailable while the app is down');

    // Second life on a new port and token (bridge.json rewritten): the same client finds it and carries on.
    const second = await startServe({ home: home.path, policy: '*=allow_session' });
    cleanups.push(() => second.stop());
    assert.notEqual(second.discovery.url, first.discovery.url);
    assert.deepEqual(await client.get(['token'], { fields: [field] }), { token: 'after-the-crash' });
    assert.deepEqual(await client.get(['token']), { token: 'after-the-crash' }, 'and a granted read on the new session');
    assert.equal(await second.stop(), 0, 'the second life stops cleanly');
  });
});
