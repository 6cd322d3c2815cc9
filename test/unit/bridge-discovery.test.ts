/**
 * How @keyhold/bridge finds the app: precedence (options > env > bridge.json),
 * all-or-nothing pairs, re-reading the file on every call, and the message a
 * developer sees when the app is not running. Every case uses a temp data dir
 * and its own `env`; the real home directory is never read.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { describeLookup, discoverBridge, discoveryFilePath } from '../../src/bridge/discovery.js';
import { isKeyholdError } from '../../src/shared/keyhold-error.js';
import { foreignOwnedDir, HOW_FOREIGN, makeFileForeign } from '../helpers/foreign-owner.js';

const TOKEN_A = 'a'.repeat(43);
const TOKEN_B = 'b'.repeat(43);
const TOKEN_C = 'c'.repeat(43);

async function writeBridgeFile(dir: string, content: unknown): Promise<void> {
  await writeFile(join(dir, 'bridge.json'), typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 });
}

/** A pid that existed a moment ago and has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  const pid = child.pid;
  assert.ok(pid !== undefined);
  await new Promise((resolve) => child.once('exit', resolve));
  return pid;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('bridge discovery', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyhold-discovery-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const fileContent = (token: string, port = 41000) => ({ url: `ws://127.0.0.1:${port}`, token, pid: process.pid, version: '1.2.3' });

  it('reads bridge.json from the data dir when no env is set', async () => {
    await writeBridgeFile(dir, fileContent(TOKEN_A));
    const endpoint = await discoverBridge({ dataDir: dir, env: {} });
    assert.equal(endpoint.url, 'ws://127.0.0.1:41000');
    assert.equal(endpoint.token, TOKEN_A);
    assert.deepEqual(endpoint.source, { kind: 'file', path: join(dir, 'bridge.json'), pid: process.pid, appVersion: '1.2.3' });
  });

  it('finds the data dir through KEYHOLD_HOME in the given env', async () => {
    await writeBridgeFile(dir, fileContent(TOKEN_A));
    const endpoint = await discoverBridge({ env: { KEYHOLD_HOME: dir } });
    assert.equal(endpoint.token, TOKEN_A);
    assert.equal(discoveryFilePath({ env: { KEYHOLD_HOME: dir } }), join(dir, 'bridge.json'));
  });

  it('env KEYHOLD_BRIDGE_URL + KEYHOLD_BRIDGE_TOKEN win over bridge.json', async () => {
    await writeBridgeFile(dir, fileContent(TOKEN_A));
    const endpoint = await discoverBridge({
      dataDir: dir,
      env: { KEYHOLD_BRIDGE_URL: 'ws://127.0.0.1:42000', KEYHOLD_BRIDGE_TOKEN: TOKEN_B },
    });
    assert.equal(endpoint.url, 'ws://127.0.0.1:42000');
    assert.equal(endpoint.token, TOKEN_B);
    assert.deepEqual(endpoint.source, { kind: 'env' });
  });

  it('url + token options win over env and bridge.json', async () => {
    await writeBridgeFile(dir, fileContent(TOKEN_A));
    const endpoint = await discoverBridge({
      dataDir: dir,
      url: 'ws://localhost:43000',
      token: TOKEN_C,
      env: { KEYHOLD_BRIDGE_URL: 'ws://127.0.0.1:42000', KEYHOLD_BRIDGE_TOKEN: TOKEN_B },
    });
    assert.equal(endpoint.url, 'ws://localhost:43000');
    assert.equal(endpoint.token, TOKEN_C);
    assert.deepEqual(endpoint.source, { kind: 'options' });
  });

  it('only one of the two env vars → invalid_request naming both, not a silent fall-through', async () => {
    await writeBridgeFile(dir, fileContent(TOKEN_A));
    const urlOnly = await rejection(discoverBridge({ dataDir: dir, env: { KEYHOLD_BRIDGE_URL: 'ws://127.0.0.1:42000' } }));
    assert.ok(isKeyholdError(urlOnly, 'invalid_request'));
    assert.match(urlOnly.message, /KEYHOLD_BRIDGE_URL is set but KEYHOLD_BRIDGE_TOKEN is not/);
    const tokenOnly = await rejection(discoverBridge({ dataDir: dir, env: { KEYHOLD_BRIDGE_TOKEN: TOKEN_B } }));
    assert.ok(isKeyholdError(tokenOnly, 'invalid_request'));
    assert.match(tokenOnly.message, /KEYHOLD_BRIDGE_TOKEN is set but KEYHOLD_BRIDGE_URL is not/);
    assert.ok(!tokenOnly.message.includes(TOKEN_B), 'the token never appears in a message');
  });

  it('only one of the url/token options → invalid_request', async () => {
    const error = await rejection(discoverBridge({ dataDir: dir, env: {}, token: TOKEN_C }));
    assert.ok(isKeyholdError(error, 'invalid_request'));
    assert.match(error.message, /`token` option is set but the `url` option is not/);
  });

  it('empty env values count as unset', async () => {
    await writeBridgeFile(dir, fileContent(TOKEN_A));
    const endpoint = await discoverBridge({ dataDir: dir, env: { KEYHOLD_BRIDGE_URL: '', KEYHOLD_BRIDGE_TOKEN: '' } });
    assert.equal(endpoint.source.kind, 'file');
  });

  it('token_exfiltration: an env URL off loopback is refused before anything is sent there', async () => {
    for (const url of ['ws://evil.example:80', 'wss://127.0.0.1:1234', 'ws://10.0.0.2:1234', 'http://127.0.0.1:1234']) {
      const error = await rejection(discoverBridge({ env: { KEYHOLD_BRIDGE_URL: url, KEYHOLD_BRIDGE_TOKEN: TOKEN_B } }));
      assert.ok(isKeyholdError(error, 'invalid_request'), url);
      assert.match(error.message, /loopback/);
      assert.ok(!error.message.includes(TOKEN_B));
    }
  });

  it('re-reads bridge.json on every call (the token rotates on each app start)', async () => {
    await writeBridgeFile(dir, fileContent(TOKEN_A, 41001));
    assert.equal((await discoverBridge({ dataDir: dir, env: {} })).token, TOKEN_A);
    await writeBridgeFile(dir, fileContent(TOKEN_B, 41002));
    const second = await discoverBridge({ dataDir: dir, env: {} });
    assert.equal(second.token, TOKEN_B);
    assert.equal(second.url, 'ws://127.0.0.1:41002');
  });

  describe('when the app is not running', () => {
    it('no bridge.json → unavailable saying where it looked and what to do', async () => {
      const empty = await mkdtemp(join(tmpdir(), 'keyhold-discovery-empty-'));
      try {
        const error = await rejection(discoverBridge({ env: { KEYHOLD_HOME: empty } }));
        assert.ok(isKeyholdError(error, 'unavailable'));
        assert.match(error.message, /^The Keyhold app is not running/);
        assert.ok(error.message.includes(join(empty, 'bridge.json')), 'names the exact path');
        assert.ok(error.message.includes('KEYHOLD_BRIDGE_URL') && error.message.includes('KEYHOLD_BRIDGE_TOKEN'), 'names the env vars');
        assert.ok(error.message.includes('KEYHOLD_HOME'), 'says how to point at another data dir');
        assert.ok(error.message.includes('Start the Keyhold app, or run `npx keyhold serve` in a terminal'));
      } finally {
        await rm(empty, { recursive: true, force: true });
      }
    });

    it('a data dir that does not exist is the same "not running"', async () => {
      const error = await rejection(discoverBridge({ dataDir: join(dir, 'nope', 'deeper'), env: {} }));
      assert.ok(isKeyholdError(error, 'unavailable'));
      assert.match(error.message, /not running/);
    });

    it('bridge.json left by a pid that has exited → unavailable "not running", without dialling', async () => {
      const pid = await deadPid();
      await writeBridgeFile(dir, { ...fileContent(TOKEN_A), pid });
      const error = await rejection(discoverBridge({ dataDir: dir, env: {} }));
      assert.ok(isKeyholdError(error, 'unavailable'));
      assert.match(error.message, /^The Keyhold app is not running/);
      assert.ok(error.message.includes(`pid ${pid}`));
      assert.ok(error.message.includes(join(dir, 'bridge.json')));
      assert.match(error.message, /npx keyhold serve/);
    });

    it('a damaged bridge.json → unavailable, and the message never quotes its content (the token)', async () => {
      await writeBridgeFile(dir, `{"url":"ws://127.0.0.1:1","token":"${TOKEN_C}"`);
      const notJson = await rejection(discoverBridge({ dataDir: dir, env: {} }));
      assert.ok(isKeyholdError(notJson, 'unavailable'));
      assert.match(notJson.message, /not valid JSON/);
      assert.ok(!notJson.message.includes(TOKEN_C));

      await writeBridgeFile(dir, { url: 'ws://evil.example:1', token: TOKEN_C, pid: process.pid, version: '1' });
      const offLoopback = await rejection(discoverBridge({ dataDir: dir, env: {} }));
      assert.ok(isKeyholdError(offLoopback, 'unavailable'));
      assert.match(offLoopback.message, /loopback/);
      assert.ok(!offLoopback.message.includes(TOKEN_C));
    });
  });

  describe('bridge_json_swapped_by_other_user: a data dir or bridge.json another user can write is refused, never dialled', () => {
    const refusedPlanted = async (dataDir: string): Promise<string> => {
      const error = await rejection(discoverBridge({ dataDir, env: {} }));
      assert.ok(isKeyholdError(error, 'invalid_request'), String(error));
      assert.ok(!error.message.includes(TOKEN_C), 'the planted token never appears in a message');
      return error.message;
    };

    it('a data dir writable by others (0777) holding a well-formed bridge.json', async () => {
      const open = await mkdtemp(join(tmpdir(), 'keyhold-discovery-open-'));
      try {
        await writeBridgeFile(open, fileContent(TOKEN_C));
        await chmod(open, 0o777);
        const message = await refusedPlanted(open);
        assert.equal(
          message,
          `Refusing the Keyhold data directory ${open}: it is writable by group or others (mode 777), so another user could point this server at a fake app. Fix: \`chmod go-w ${open}\`.`,
        );
      } finally {
        await rm(open, { recursive: true, force: true });
      }
    });

    it('a bridge.json writable by others in a private data dir', async () => {
      const home = await mkdtemp(join(tmpdir(), 'keyhold-discovery-file-'));
      try {
        await writeBridgeFile(home, fileContent(TOKEN_C));
        await chmod(join(home, 'bridge.json'), 0o646);
        assert.match(await refusedPlanted(home), /^Refusing the Keyhold discovery file .*bridge\.json: it is writable by group or others \(mode 646\).*chmod go-w/);
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    });

    it(`a bridge.json owned by another user (${HOW_FOREIGN})`, async () => {
      const home = await mkdtemp(join(tmpdir(), 'keyhold-discovery-foreign-'));
      try {
        await writeBridgeFile(home, fileContent(TOKEN_C));
        await makeFileForeign(join(home, 'bridge.json'));
        const message = await refusedPlanted(home);
        assert.match(message, /^Refusing the Keyhold discovery file .*bridge\.json: it belongs to uid \d+, not to you \(uid \d+\)/);
        assert.match(message, /Fix: `chown \$\(id -u\) .*bridge\.json`, or set KEYHOLD_HOME to a directory of yours\./);
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    });

    it(`a data dir owned by another user (${HOW_FOREIGN})`, async () => {
      const temp = await mkdtemp(join(tmpdir(), 'keyhold-discovery-foreign-dir-'));
      try {
        await writeBridgeFile(temp, fileContent(TOKEN_C));
        const foreign = await foreignOwnedDir(temp);
        assert.match(await refusedPlanted(foreign), /^Refusing the Keyhold data directory .*: it belongs to uid \d+, not to you/);
      } finally {
        await rm(temp, { recursive: true, force: true });
      }
    });
  });

  it('describeLookup lists env vars then the file path', () => {
    assert.equal(describeLookup({ dataDir: dir }), `KEYHOLD_BRIDGE_URL/KEYHOLD_BRIDGE_TOKEN, then ${join(dir, 'bridge.json')}`);
  });

  it('the default data dir follows the platform rules with the given env (never the real home here)', () => {
    if (process.platform !== 'linux') return;
    assert.equal(discoveryFilePath({ env: { XDG_CONFIG_HOME: '/xdg' } }), '/xdg/Keyhold/bridge.json');
  });
});
