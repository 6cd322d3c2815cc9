/**
 * The vault against the real Secret Service: values only in the keychain,
 * the index consistent with it after every kind of interruption.
 * Faults are injected by wrapping the real keychain (the only mock here).
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { createSystemKeychain, keychainService, type Keychain } from '../../src/main/core/keychain.js';
import { INDEX_FILE_NAME } from '../../src/main/core/metadata-index.js';
import { Vault } from '../../src/main/core/vault.js';
import { isKeyholdError } from '../../src/shared/keyhold-error.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const keychain = createSystemKeychain();
let serial = 0;
/** A server name no other test (or earlier run) uses, so keychain state never leaks between tests. */
const uniqueServer = (label: string) => `${label}-${process.pid}-${Date.now().toString(36)}-${++serial}`;
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups) await c();
});

async function freshVault(extra: Partial<Parameters<typeof Vault.open>[0]> = {}) {
  const dir = await makeTempDir();
  cleanups.push(dir.cleanup);
  const vault = await Vault.open({ dataDir: dir.path, keychain, ...extra });
  return { dir: dir.path, vault };
}

async function indexText(dir: string): Promise<string> {
  return readFile(join(dir, INDEX_FILE_NAME), 'utf8');
}

describe('vault (real keychain)', () => {
  it('stores values in the keychain under keyhold/<server> and only metadata in the index', async () => {
    const { dir, vault } = await freshVault();
    const server = uniqueServer('store');
    await vault.put(server, { token: 'value-in-keychain-1', user: 'octocat-secret' });
    assert.equal(await keychain.get(keychainService(server), 'token'), 'value-in-keychain-1');
    assert.deepEqual((await vault.read(server, ['token', 'user'])), { token: 'value-in-keychain-1', user: 'octocat-secret' });
    const text = await indexText(dir);
    assert.doesNotMatch(text, /value-in-keychain-1|octocat-secret/);
    assert.deepEqual(vault.list(server).map((s) => s.name), ['token', 'user']);
    assert.ok(vault.servers().includes(server));
  });

  it('cross_server_secret_read: servers are separate namespaces', async () => {
    const { vault } = await freshVault();
    const a = uniqueServer('a');
    const b = uniqueServer('b');
    await vault.put(a, { token: 'a-only' });
    assert.equal(vault.has(b, 'token'), false);
    await assert.rejects(vault.read(b, ['token']), (e) => isKeyholdError(e, 'not_found'));
  });

  it('replace keeps created, updates updated, and clears the rejected flag', async () => {
    let t = 1000;
    const { vault } = await freshVault({ now: () => t });
    const server = uniqueServer('replace');
    await vault.put(server, { token: 'v1' });
    await vault.invalidate(server, ['token'], 'HTTP 401');
    assert.equal(vault.meta(server, 'token')?.invalidated?.reason, 'HTTP 401');
    t = 2000;
    await vault.put(server, { token: 'v2' });
    const meta = vault.meta(server, 'token');
    assert.equal(meta?.created, 1000);
    assert.equal(meta?.updated, 2000);
    assert.equal(meta?.invalidated, undefined);
    assert.equal((await vault.read(server, ['token'])).token, 'v2');
  });

  it('delete removes keychain entry and index entry', async () => {
    const { vault } = await freshVault();
    const server = uniqueServer('delete');
    await vault.put(server, { token: 'x' });
    assert.equal(await vault.remove(server, 'token'), true);
    assert.equal(await keychain.get(keychainService(server), 'token'), null);
    assert.equal(vault.has(server, 'token'), false);
    assert.equal(await vault.remove(server, 'token'), false);
  });

  it('reopening reconciles: entries added or removed behind our back are found entry for entry', async () => {
    const { dir, vault } = await freshVault();
    const server = uniqueServer('reconcile');
    await vault.put(server, { a: '1', b: '2' });
    await keychain.set(keychainService(server), 'c', '3');
    await keychain.delete(keychainService(server), 'a');
    const reopened = await Vault.open({ dataDir: dir, keychain });
    assert.deepEqual(reopened.list(server).map((s) => s.name), ['b', 'c']);
    assert.equal(reopened.meta(server, 'c')?.recovered, true);
    assert.deepEqual({ recovered: reopened.reconcileReport.recovered, dropped: reopened.reconcileReport.dropped }, { recovered: 1, dropped: 1 });
  });

  it('keychain_index_divergence_after_crash: every keychain write and delete finds its intent already journalled in index.json', async () => {
    const dir = await makeTempDir();
    cleanups.push(dir.cleanup);
    const journalOnDisk = async (): Promise<string[]> => {
      const index = JSON.parse(await indexText(dir.path)) as { pending: Array<{ op: string; server: string; name: string }> };
      return index.pending.map((op) => `${op.op} ${op.server}/${op.name}`);
    };
    // The keychain is the one place a crash can leave a value the index does not know: this one looks at the disk first.
    const calls: Array<{ call: string; journal: string[] }> = [];
    const values = new Map<string, string>();
    const inspecting: Keychain = {
      get: (service, account) => Promise.resolve(values.get(`${service}|${account}`) ?? null),
      set: async (service, account, value) => {
        calls.push({ call: `set ${service}/${account}`, journal: await journalOnDisk() });
        values.set(`${service}|${account}`, value);
      },
      delete: async (service, account) => {
        calls.push({ call: `delete ${service}/${account}`, journal: await journalOnDisk() });
        return values.delete(`${service}|${account}`);
      },
      accounts: () => Promise.resolve([]),
    };
    const vault = await Vault.open({ dataDir: dir.path, keychain: inspecting });
    await vault.put('journalled', { token: 'v1', user: 'v2' });
    await vault.remove('journalled', 'token');
    assert.deepEqual(calls, [
      { call: `set ${keychainService('journalled')}/token`, journal: ['put journalled/token', 'put journalled/user'] },
      { call: `set ${keychainService('journalled')}/user`, journal: ['put journalled/token', 'put journalled/user'] },
      { call: `delete ${keychainService('journalled')}/token`, journal: ['delete journalled/token'] },
    ]);
    assert.deepEqual(await journalOnDisk(), [], 'each intent is cleared once its write is done');
  });

  it('a crash after the keychain write but before the index commit is recovered at start (journal replay)', async () => {
    const { dir } = await freshVault();
    const server = uniqueServer('crash-put');
    // Simulate dying right after step 2: the keychain has the value, the index only the intent.
    await keychain.set(keychainService(server), 'token', 'written-before-crash');
    await writeFile(
      join(dir, INDEX_FILE_NAME),
      JSON.stringify({ version: 1, servers: {}, pending: [{ op: 'put', server, name: 'token', at: 1 }] }),
    );
    const vault = await Vault.open({ dataDir: dir, keychain });
    assert.equal(vault.has(server, 'token'), true);
    assert.equal(vault.reconcileReport.settled, 1);
    assert.doesNotMatch(await indexText(dir), /"pending": \[\s*\{/);
  });

  it('a crash before the keychain write leaves nothing behind', async () => {
    const { dir } = await freshVault();
    const server = uniqueServer('crash-early');
    await writeFile(join(dir, INDEX_FILE_NAME), JSON.stringify({ version: 1, servers: {}, pending: [{ op: 'put', server, name: 'token', at: 1 }] }));
    const vault = await Vault.open({ dataDir: dir, keychain });
    assert.equal(vault.has(server, 'token'), false);
  });

  it('an interrupted delete is finished at start', async () => {
    const { dir, vault } = await freshVault();
    const server = uniqueServer('crash-delete');
    await vault.put(server, { token: 'x' });
    const index = JSON.parse(await indexText(dir)) as { pending: unknown[] };
    index.pending.push({ op: 'delete', server, name: 'token', at: 2 });
    await writeFile(join(dir, INDEX_FILE_NAME), JSON.stringify(index));
    const reopened = await Vault.open({ dataDir: dir, keychain });
    assert.equal(reopened.has(server, 'token'), false);
    assert.equal(await keychain.get(keychainService(server), 'token'), null);
  });

  it('a keychain failure mid-batch keeps index and keychain in agreement', async () => {
    const server = uniqueServer('fault');
    let writes = 0;
    const failing: Keychain = {
      ...keychain,
      set: async (service, account, value) => {
        if (++writes === 2) throw Object.assign(new Error('injected fault'), {});
        return keychain.set(service, account, value);
      },
    };
    const { dir, vault } = await freshVault({ keychain: failing });
    await assert.rejects(vault.put(server, { a: '1', b: '2', c: '3' }));
    const inKeychain = (await keychain.accounts(keychainService(server))).sort();
    assert.deepEqual(vault.list(server).map((s) => s.name), inKeychain);
    const reopened = await Vault.open({ dataDir: dir, keychain });
    assert.deepEqual(reopened.list(server).map((s) => s.name), inKeychain);
  });

  it('an index that cannot be written: the write fails with a clear `unavailable` and changes nothing', async () => {
    const { dir, vault } = await freshVault();
    const server = uniqueServer('unwritable');
    // A non-empty directory where index.json should be: rename fails even for root (unlike chmod).
    await rm(join(dir, INDEX_FILE_NAME), { force: true });
    await mkdir(join(dir, INDEX_FILE_NAME, 'blocker'), { recursive: true });
    await assert.rejects(vault.put(server, { token: 'x' }), (e) => isKeyholdError(e, 'unavailable') && /could not write its index/.test(e.message));
    assert.equal(await keychain.get(keychainService(server), 'token'), null, 'keychain untouched');
    assert.equal(vault.has(server, 'token'), false);
  });

  it('an unreadable index is moved aside, never overwritten', async () => {
    const { dir } = await freshVault();
    await writeFile(join(dir, INDEX_FILE_NAME), '{ this is not json');
    const vault = await Vault.open({ dataDir: dir, keychain });
    assert.ok(vault.reconcileReport.quarantinedTo !== undefined);
    assert.ok((await readdir(dir)).some((f) => f.startsWith(`${INDEX_FILE_NAME}.unreadable-`)));
  });

  it('last-used times are recorded and flushed', async () => {
    const { dir, vault } = await freshVault({ now: () => 4242 });
    const server = uniqueServer('used');
    await vault.put(server, { token: 'x' });
    vault.markUsed(server, ['token']);
    await vault.flush();
    assert.match(await indexText(dir), /"lastUsed": 4242/);
  });
});
