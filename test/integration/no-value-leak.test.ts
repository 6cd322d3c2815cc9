/**
 * After a run that stored, read, replaced, rejected and failed on known
 * values, none of them appears in the data dir's files (index, activity log,
 * bridge.json, anything else) nor in anything `keyhold serve` printed.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { KeyholdClient, isKeyholdError } from '../../src/bridge/index.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { spawnServe } from '../helpers/spawn-serve.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const keychain = createSystemKeychain();

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir)) {
    const path = join(dir, entry);
    if ((await stat(path)).isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

describe('no secret value outside the keychain', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('secret_value_leak_to_disk_or_output: values never reach data-dir files or serve output', async () => {
    const home = await makeTempDir();
    cleanups.push(home.cleanup);
    const server = `leak-${process.pid}${Date.now().toString(36)}`;
    const values = {
      token: 'LEAKCANARY-token-7f3a9c',
      password: 'LEAKCANARY-password-e41b',
      replaced: 'LEAKCANARY-replaced-0d2c',
    };
    const serve = await spawnServe(home.path, { autoAnswer: true });
    cleanups.push(() => serve.stop('SIGKILL'));
    cleanups.push(async () => {
      for (const name of [...Object.keys(values), 'bad']) await keychain.delete(keychainService(server), name);
    });
    // Found through bridge.json, as an MCP server would.
    const client = new KeyholdClient({ server: { name: server }, dataDir: home.path });
    const field = (name: string, value: string, type: 'text' | 'url' = 'text') => ({ name, label: name, type, required: true, default: value });

    await client.request([field('token', values.token), field('password', values.password)], { reason: 'store' });
    assert.deepEqual(await client.get(['token', 'password'], { reason: 'read' }), { token: values.token, password: values.password });
    await client.request([field('replaced', 'LEAKCANARY-first-version')]);
    await client.request([field('replaced', values.replaced)]);
    await client.invalidate(['token'], 'upstream said 401');
    await client.get(['token'], { fields: [field('token', values.token)] });
    // A value that fails validation: the error must not echo it.
    const bad = await client.request([field('bad', 'LEAKCANARY-not-a-url', 'url')]).catch((e: unknown) => e);
    assert.ok(isKeyholdError(bad, 'invalid_request'));
    assert.ok(!bad.message.includes('LEAKCANARY'), 'the validation error does not echo the value');
    await client.status();
    await client.close();
    assert.equal(await serve.stop('SIGTERM'), 0);

    const files = await filesUnder(home.path);
    assert.ok(files.some((f) => f.endsWith('index.json')) && files.some((f) => f.endsWith('activity.jsonl')), 'the run wrote its files');
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      assert.doesNotMatch(text, /LEAKCANARY/, `${file} holds no value`);
    }
    assert.doesNotMatch(serve.output(), /LEAKCANARY/, 'serve printed no value');
    assert.match(serve.output(), /Bridge:/, 'the output was captured');
    assert.doesNotMatch(serve.output(), new RegExp(serve.discovery.token), 'serve never prints the bridge token');
  });
});
