/**
 * The keychain fails under a running `keyhold serve`:
 *   - no Secret Service on the bus at all (DBUS_SESSION_BUS_ADDRESS leads nowhere);
 *   - the collection gets locked (org.freedesktop.Secret.Service.Lock, sent with dbus-send);
 *   - a value is changed in the keychain behind Keyhold's back while a session grant holds it.
 * The client must get `unavailable` with a message that says what to do, the
 * index must not change, and the serve process must stay up.
 * The lock test runs its serve in a private D-Bus session with its own
 * gnome-keyring, so locking it cannot disturb tests running beside it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { KeyholdClient, isKeyholdError } from '../../src/bridge/index.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { INDEX_FILE_NAME } from '../../src/main/core/metadata-index.js';
import { REPO_ROOT, startServe } from '../../bench/serve-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const keychain = createSystemKeychain();
const tag = `${process.pid}${Date.now().toString(36)}`;
const NOWHERE = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/keyhold-test-bus' };
const field = (value: string) => ({ name: 'token', label: 'Token', type: 'text' as const, required: true, default: value });

describe('fault: the keychain is unavailable or locked', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });
  const home = async (): Promise<string> => {
    const dir = await makeTempDir();
    cleanups.push(dir.cleanup);
    return dir.path;
  };
  const client = (dataDir: string, server: string): KeyholdClient => {
    const made = new KeyholdClient({ server: { name: server }, dataDir, env: {}, requestTimeoutMs: 20_000 });
    cleanups.push(() => made.close());
    return made;
  };

  it('keychain_unavailable: no Secret Service → `unavailable` naming the keychain and what to do; nothing stored, serve stays up', async () => {
    const dir = await home();
    const serve = await startServe({ home: dir, env: NOWHERE });
    cleanups.push(() => serve.stop());
    const server = `nobus-${tag}`;
    const error = await client(dir, server).get(['token'], { fields: [field('never-stored')] }).catch((e: unknown) => e);
    assert.ok(isKeyholdError(error, 'unavailable'), `unavailable, got ${String(error)}`);
    assert.match((error as Error).message, /OS keychain could not write the entry/);
    assert.match((error as Error).message, /Secret Service .* running and unlocked/);
    assert.doesNotMatch((error as Error).message, /never-stored/, 'the value is not in the message');
    const index = JSON.parse(await readFile(join(dir, INDEX_FILE_NAME), 'utf8')) as { servers: Record<string, unknown>; pending: unknown[] };
    assert.equal(index.servers[server], undefined, 'no index entry for a value the keychain refused');
    assert.deepEqual(index.pending, [], 'no unsettled intent left behind');
    assert.ok(serve.alive());
    assert.deepEqual(await client(dir, server).status(['token']), [{ name: 'token', exists: false, invalidated: false }], 'still answering');
    assert.equal(await serve.stop(), 0);
  });

  it('keychain_unavailable: an index with secrets but no Secret Service at start → serve refuses to start and says why', async () => {
    const dir = await home();
    const stored = await startServe({ home: dir, policy: '*=allow' });
    const server = `nobus-start-${tag}`;
    await client(dir, server).request([field('stored-before')]);
    assert.equal(await stored.stop(), 0);
    cleanups.push(() => keychain.delete(keychainService(server), 'token'));
    const before = await readFile(join(dir, INDEX_FILE_NAME));
    await assert.rejects(startServe({ home: dir, env: NOWHERE }), /could not start: The OS keychain could not list the entry.*Secret Service/s);
    assert.deepEqual(await readFile(join(dir, INDEX_FILE_NAME)), before, 'the index is untouched');
  });

  it('keychain_locked: a locked collection → `unavailable` asking to unlock; granted values stay served from memory until the grant ends', async () => {
    const dir = await home();
    // A private D-Bus session + gnome-keyring (scripts/with-test-keyring.sh) that writes its bus address for us.
    const wrap = ['env', '-u', 'KEYHOLD_TEST_KEYRING', 'bash', join(REPO_ROOT, 'scripts', 'with-test-keyring.sh'), 'bash', '-c', 'printf %s "$DBUS_SESSION_BUS_ADDRESS" > "$0/bus" && exec "$@"', dir];
    const serve = await startServe({ home: dir, policy: 'locked-session=allow_session,*=allow', wrap });
    cleanups.push(() => serve.stop());
    const bus = await readFile(join(dir, 'bus'), 'utf8');
    const once = client(dir, `locked-once-${tag}`);
    const session = client(dir, `locked-session-${tag}`);
    await once.request([field('once-value')]);
    await session.request([field('session-value')]);
    assert.deepEqual(await once.get(['token']), { token: 'once-value' }, 'readable before the lock (and the keychain handle is now kept)');
    assert.deepEqual(await session.get(['token']), { token: 'session-value' }, 'Allow for session: the value is now held for the grant');

    // dbus-send comes with the dbus package the tests already need (gdbus would need libglib2.0-bin).
    await run('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/collection/login'], {
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus },
    });

    const error = await once.get(['token']).catch((e: unknown) => e);
    assert.ok(isKeyholdError(error, 'unavailable'), `unavailable, got ${String(error)}`);
    assert.match((error as Error).message, /OS keychain could not read the entry.*(unlock|locked)/is);
    const fresh = await client(dir, `locked-once-${tag}`).get(['token']).catch((e: unknown) => e);
    assert.ok(isKeyholdError(fresh, 'unavailable'), 'a new connection is refused too');
    // The documented trade-off of the grant-scoped cache (SECURITY.md): the user's "Allow for session" holds until the grant ends.
    assert.deepEqual(await session.get(['token']), { token: 'session-value' });
    await session.close();
    const afterGrant = await client(dir, `locked-session-${tag}`).get(['token']).catch((e: unknown) => e);
    assert.ok(isKeyholdError(afterGrant, 'unavailable'), 'once the grant ended (disconnect), the locked keychain is asked again and refuses');
    assert.ok(serve.alive());
  });

  it('keychain_changed_outside_keyhold: a session grant serves the value it read until the grant ends; a replace through Keyhold drops it at once', async () => {
    const dir = await home();
    const serve = await startServe({ home: dir, policy: '*=allow_session' });
    cleanups.push(() => serve.stop());
    const server = `outside-${tag}`;
    cleanups.push(() => keychain.delete(keychainService(server), 'token'));
    const granted = client(dir, server);
    await granted.request([field('v1')]);
    assert.deepEqual(await granted.get(['token']), { token: 'v1' }, 'Allow for session: read once from the keychain, then held');

    await keychain.set(keychainService(server), 'token', 'v2-outside');
    assert.deepEqual(await granted.get(['token']), { token: 'v1' }, 'the documented trade-off: the grant keeps the value it was given');
    assert.deepEqual(await client(dir, server).get(['token']), { token: 'v2-outside' }, 'a new approval reads the keychain again');

    await client(dir, server).put({ token: 'v3' });
    assert.deepEqual(await granted.get(['token']), { token: 'v3' }, 'a replace through Keyhold ended the grant: asked again, read again');
    assert.equal(await serve.stop(), 0);
  });
});
