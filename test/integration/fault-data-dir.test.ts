/**
 * The data directory stops taking writes under a running `keyhold serve`:
 * read-only, or full. A change must fail with a clear `unavailable`, leave
 * index.json byte for byte as it was (and the keychain without the value),
 * keep reads working, and work again once the disk does.
 *
 * How the fault is made: these tests run as root in CI, where chmod does not
 * stop writes, so the data dir is a tiny tmpfs of its own (`mount -t tmpfs`),
 * remounted read-only or filled to the last byte. Where mounting is not
 * permitted (a developer's machine, not root), the read-only case falls back
 * to chmod 0500 (which does stop a non-root user) and the full-disk case is
 * skipped. No seam is faked: the real fs calls fail with the real EROFS/ENOSPC.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { KeyholdClient, isKeyholdError } from '../../src/bridge/index.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { INDEX_FILE_NAME } from '../../src/main/core/metadata-index.js';
import { startServe, type ServeHandle } from '../../bench/serve-process.js';

const run = promisify(execFile);
const keychain = createSystemKeychain();
const tag = `${process.pid}${Date.now().toString(36)}`;
const field = (name: string, value: string) => ({ name, label: name, type: 'text' as const, required: true, default: value });

interface DataDir {
  readonly path: string;
  readonly tmpfs: boolean;
  cleanup(): Promise<void>;
}

/** A private tmpfs when we may mount one, else a plain temp dir. */
async function dataDir(sizeKb: number): Promise<DataDir> {
  const path = await mkdtemp(join(tmpdir(), 'keyhold-fault-'));
  const mounted = await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0700`, 'tmpfs', path]).then(() => true, () => false);
  return {
    path,
    tmpfs: mounted,
    cleanup: async () => {
      if (mounted) await run('umount', [path]).catch(() => run('umount', ['-l', path]));
      await rm(path, { recursive: true, force: true });
    },
  };
}

describe('fault: the data directory is read-only or full', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  /** A serve on `dir` with one secret stored and granted for the session; returns what the checks need. */
  const prepared = async (dir: DataDir, label: string) => {
    const server = `${label}-${tag}`;
    cleanups.push(async () => {
      for (const name of ['kept', 'later']) await keychain.delete(keychainService(server), name);
    });
    const serve = await startServe({ home: dir.path, policy: '*=allow_session' });
    cleanups.push(() => serve.stop());
    const client = new KeyholdClient({ server: { name: server }, dataDir: dir.path, env: {} });
    cleanups.push(() => client.close());
    await client.request([field('kept', 'kept-value')]);
    assert.deepEqual(await client.get(['kept']), { kept: 'kept-value' });
    // Let the last-used time reach the disk, so the index is at rest before the fault.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    return { server, serve, client, index: await readFile(join(dir.path, INDEX_FILE_NAME)) };
  };

  /** The change fails clearly, nothing half-written, reads still work. */
  const assertFaultHandled = async (
    dir: DataDir,
    state: { server: string; serve: ServeHandle; client: KeyholdClient; index: Buffer },
    wording: RegExp,
  ): Promise<void> => {
    const error = await state.client.request([field('later', 'later-value')]).catch((e: unknown) => e);
    assert.ok(isKeyholdError(error, 'unavailable'), `unavailable, got ${String(error)}`);
    assert.match((error as Error).message, /could not write its index/);
    assert.match((error as Error).message, wording);
    assert.deepEqual(await readFile(join(dir.path, INDEX_FILE_NAME)), state.index, 'index.json is byte for byte unchanged');
    assert.equal(await keychain.get(keychainService(state.server), 'later'), null, 'the keychain was never touched');
    assert.deepEqual(await state.client.get(['kept']), { kept: 'kept-value' }, 'a granted read still works');
    const other = new KeyholdClient({ server: { name: state.server }, dataDir: dir.path, env: {} });
    cleanups.push(() => other.close());
    assert.deepEqual(await other.get(['kept']), { kept: 'kept-value' }, 'an approved read on a new connection still works');
    assert.ok(state.serve.alive(), 'serve is still up');
  };

  it('data_dir_read_only: a change fails with `unavailable` (read-only), the index is unchanged, reads go on, writes resume after', async () => {
    const dir = await dataDir(2_048);
    cleanups.push(() => dir.cleanup());
    const state = await prepared(dir, 'ro');
    if (dir.tmpfs) await run('mount', ['-o', 'remount,ro', dir.path]);
    else await chmod(dir.path, 0o500);
    await assertFaultHandled(dir, state, dir.tmpfs ? /read-only/ : /permission denied/);

    if (dir.tmpfs) await run('mount', ['-o', 'remount,rw', dir.path]);
    else await chmod(dir.path, 0o700);
    assert.deepEqual(await state.client.request([field('later', 'later-value')]), { later: 'later-value' }, 'writable again: the change goes through');
    assert.equal(await state.serve.stop(), 0);
  });

  it('data_dir_full: a change fails with `unavailable` (disk full), the index is unchanged, reads go on, writes resume after', async (t) => {
    const dir = await dataDir(1_024);
    cleanups.push(() => dir.cleanup());
    if (!dir.tmpfs) {
      t.skip('mounting a tmpfs is not permitted here (not root); the full-disk case needs one');
      return;
    }
    const state = await prepared(dir, 'full');
    const filler = join(dir.path, 'filler');
    // Fill the tmpfs to the last block: one big write, then small ones until ENOSPC.
    await writeFile(filler, Buffer.alloc(512 * 1024)).catch(() => undefined);
    for (let i = 0; i < 10_000; i += 1) {
      const full = await writeFile(filler, Buffer.alloc(4096), { flag: 'a' }).then(() => false, (e: { code?: string }) => e.code === 'ENOSPC');
      if (full) break;
    }
    await assertFaultHandled(dir, state, /disk is full/);

    await rm(filler);
    assert.deepEqual(await state.client.request([field('later', 'later-value')]), { later: 'later-value' }, 'space again: the change goes through');
    assert.equal(await state.serve.stop(), 0);
  });
});
