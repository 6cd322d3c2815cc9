/**
 * SIGKILL of `keyhold serve` in the middle of a burst of writes. After a
 * restart the index and the keychain must agree entry for entry, and every
 * write the app acknowledged before dying must still be there with its value.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { INDEX_FILE_NAME } from '../../src/main/core/metadata-index.js';
import { RawBridgeClient } from '../helpers/raw-bridge-client.js';
import { spawnServe } from '../helpers/spawn-serve.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const keychain = createSystemKeychain();
const valueFor = (server: string, name: string) => `burst-value:${server}:${name}`;

describe('crash consistency', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('keychain_index_divergence_after_crash: SIGKILL mid-burst, restart, index == keychain, acknowledged writes survive', async () => {
    const home = await makeTempDir();
    cleanups.push(home.cleanup);
    const tag = `${process.pid}${Date.now().toString(36)}`;
    const servers = ['burst-a', 'burst-b', 'burst-c', 'burst-d'].map((s) => `${s}-${tag}`);

    const serve = await spawnServe(home.path, { autoAnswer: true });
    cleanups.push(() => serve.stop('SIGKILL'));
    const acknowledged = new Map<string, Set<string>>(servers.map((s) => [s, new Set()]));
    let acks = 0;
    let killed = false;

    const writer = async (server: string): Promise<void> => {
      const client = await RawBridgeClient.hello(serve.discovery.url, serve.discovery.token, server);
      for (let i = 0; !killed; i += 1) {
        const fields = [0, 1, 2].map((k) => {
          const name = `key${i}_${k}`;
          return { name, label: name, type: 'text', required: true, default: valueFor(server, name) };
        });
        const reply = await client.call('secrets.request', { fields }).catch(() => undefined);
        if (reply?.ok !== true) return;
        for (const f of fields) acknowledged.get(server)?.add(f.name);
        acks += 1;
      }
    };
    const writers = servers.map(writer);
    while (acks < 40) await new Promise((r) => setTimeout(r, 5));
    serve.child.kill('SIGKILL');
    killed = true;
    await serve.stop('SIGKILL');
    await Promise.allSettled(writers);

    // Restart: the real serve reconciles at start; then stop it cleanly so the index is final.
    const restarted = await spawnServe(home.path, { autoAnswer: true });
    assert.equal(await restarted.stop('SIGTERM'), 0);

    const index = JSON.parse(await readFile(join(home.path, INDEX_FILE_NAME), 'utf8')) as {
      servers: Record<string, Record<string, unknown>>;
      pending: unknown[];
    };
    assert.deepEqual(index.pending, [], 'no unsettled intents after restart');
    let total = 0;
    for (const server of servers) {
      const service = keychainService(server);
      const inKeychain = (await keychain.accounts(service)).sort();
      const inIndex = Object.keys(index.servers[server] ?? {}).sort();
      assert.deepEqual(inIndex, inKeychain, `${server}: index and keychain agree entry for entry`);
      for (const name of acknowledged.get(server) ?? []) assert.ok(inIndex.includes(name), `${server}/${name} was acknowledged before the kill`);
      for (const name of inKeychain) assert.equal(await keychain.get(service, name), valueFor(server, name));
      total += inKeychain.length;
      cleanups.push(async () => {
        for (const name of inKeychain) await keychain.delete(service, name);
      });
    }
    assert.ok(total >= 120, `the burst wrote at least the acknowledged entries (${total})`);
  });
});
