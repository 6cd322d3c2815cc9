/**
 * `keyhold status | ls | set | rm` against the real core and keychain, the
 * protocol additions behind them (secrets.list / put / delete), and the
 * bridge client's KEYHOLD_FALLBACK. A scripted prompter stands in for the user.
 *
 * Threats: secret_change_without_approval (put/delete always ask, whatever
 * grants exist), fallback_bypasses_denial, secret_value_in_activity_log.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';

import { KeyholdClient, isKeyholdError } from '../../src/bridge/index.js';
import { ACTIVITY_FILE_NAME } from '../../src/main/core/activity-log.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { startCore, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import { PromptBoard } from '../../src/main/core/prompt-board.js';
import type { ApprovalPrompt } from '../../src/main/core/prompter.js';
import { createUiHandlers, dispatchUi } from '../../src/main/core/ui-handlers.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const keychain = createSystemKeychain();
const tag = `${process.pid}${Date.now().toString(36)}`;
const server = `cli-${tag}`;
const VALUE = `cli-value-${tag}-Zx9`;


describe('keyhold CLI commands against the real core', () => {
  let core: KeyholdCore;
  let prompter: ScriptedPrompter;
  let dataDir: { path: string; cleanup: () => Promise<void> };
  let env: Record<string, string>;
  const approval = (index: number): ApprovalPrompt => {
    const prompt = prompter.shown[index]?.prompt;
    assert.ok(prompt !== undefined && prompt.kind === 'approval', `prompt ${index} is an approval`);
    return prompt;
  };

  before(async () => {
    dataDir = await makeTempDir('keyhold-cli-int-');
    prompter = new ScriptedPrompter();
    core = await startCore({ dataDir: dataDir.path, prompter, appVersion: 'test-9.9.9' });
    env = { KEYHOLD_HOME: dataDir.path };
  });
  beforeEach(() => {
    prompter.shown.length = 0;
  });
  after(async () => {
    await core.stop();
    for (const s of core.vault.servers()) for (const secret of core.vault.list(s)) await keychain.delete(keychainService(s), secret.name);
    await dataDir.cleanup();
  });

  it('status: running → exit 0 with version, bridge URL and data directory (text and --json)', async () => {
    const run = await runCli(['status'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Keyhold is running\./);
    assert.ok(run.stdout.includes('test-9.9.9') && run.stdout.includes(core.url) && run.stdout.includes(dataDir.path));
    const json = JSON.parse((await runCli(['status', '--json'], env)).stdout) as Record<string, unknown>;
    assert.equal(json['running'], true);
    assert.equal(json['appVersion'], 'test-9.9.9');
    assert.equal(json['bridgeUrl'], core.url);
    assert.equal(json['appPid'], process.pid);
  });

  it('set (value on stdin) asks in an approval window that says "store"; the value goes to the keychain only', async () => {
    prompter.answer({ approval: 'allow' });
    const run = await runCli(['set', `${server}/token`], env, `${VALUE}\n`);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `Stored ${server}/token.\n`);
    assert.match(run.stderr, /verification code [A-Z2-9]{4}-[A-Z2-9]{4}/);
    const prompt = approval(0);
    assert.equal(prompt.action, 'store');
    assert.equal(prompt.server, server);
    assert.deepEqual(prompt.names, ['token']);
    assert.equal(prompt.process.pid, process.pid);
    assert.equal(await keychain.get(keychainService(server), 'token'), VALUE);
    assert.ok(!run.stdout.includes(VALUE) && !run.stderr.includes(VALUE));
  });

  it('secret_change_without_approval: set denied → exit 1, nothing changes; "Allow for session" on a store leaves no grant', async () => {
    prompter.answer({ approval: 'deny' });
    const denied = await runCli(['set', `${server}/token`], env, 'other-value-123');
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /denied/);
    assert.equal(await keychain.get(keychainService(server), 'token'), VALUE);

    prompter.answer({ approval: 'allow_session' });
    const replaced = await runCli(['set', `${server}/token`], env, VALUE);
    assert.equal(replaced.stdout, `Replaced the value of ${server}/token.\n`);
    assert.equal(core.grants.list().length, 0, 'no session grant from a store');
  });

  it('secret_change_without_approval: a read grant for the session does not cover put or delete', async () => {
    const client = new KeyholdClient({ server: { name: server }, url: core.url, token: core.token });
    try {
      prompter.answer({ approval: 'allow_session' });
      assert.deepEqual(await client.get(['token']), { token: VALUE });
      assert.deepEqual(await client.get(['token']), { token: VALUE }, 'granted for the session');
      assert.equal(prompter.shown.length, 1);
      prompter.answer({ approval: 'deny' }, { approval: 'deny' });
      await assert.rejects(client.put({ token: 'evil-value-1' }), (e) => isKeyholdError(e, 'denied'));
      await assert.rejects(client.delete(['token']), (e) => isKeyholdError(e, 'denied'));
      assert.deepEqual([approval(1).action, approval(2).action], ['store', 'delete']);
      assert.equal(await keychain.get(keychainService(server), 'token'), VALUE);
      await assert.rejects(client.delete(['never-stored']), (e) => isKeyholdError(e, 'not_found'));
      assert.equal(prompter.shown.length, 3, 'deleting a missing name opens no window');
    } finally {
      await client.close();
    }
  });

  it('ls lists names only (text and --json), for all servers or one', async () => {
    const all = await runCli(['ls'], env);
    assert.equal(all.code, 0, all.stderr);
    assert.ok(all.stdout.split('\n').includes(`${server}/token`));
    assert.ok(!all.stdout.includes(VALUE));
    const json = JSON.parse((await runCli(['ls', server, '--json'], env)).stdout) as { servers: unknown };
    assert.deepEqual(json.servers, [{ name: server, secrets: [{ name: 'token', invalidated: false }] }]);
    const none = await runCli(['ls', 'no-such-server'], env);
    assert.equal(none.code, 0);
    assert.equal(none.stdout, '');
    assert.equal(prompter.shown.length, 0, 'listing opens no window');
  });

  it('rm asks in a window that says "delete", then removes; a missing name fails without a window', async () => {
    prompter.answer({ approval: 'allow' });
    const run = await runCli(['rm', `${server}/token`], env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `Deleted ${server}/token.\n`);
    assert.equal(approval(0).action, 'delete');
    assert.equal(await keychain.get(keychainService(server), 'token'), null);
    const missing = await runCli(['rm', `${server}/token`], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No secret "token" is stored/);
    assert.equal(prompter.shown.length, 1);
  });

  it('secret_value_in_activity_log: store, replace, delete and denials are logged by name, never by value', async () => {
    await core.activity.flush();
    const log = await readFile(join(dataDir.path, ACTIVITY_FILE_NAME), 'utf8');
    assert.ok(!log.includes(VALUE) && !log.includes('evil-value-1') && !log.includes('other-value-123'));
    const actions = log.trim().split('\n').map((line) => JSON.parse(line) as { action: string; detail?: string; server: string });
    const mine = actions.filter((entry) => entry.server === server).map((entry) => `${entry.action}${entry.detail === undefined ? '' : `:${entry.detail}`}`);
    for (const expected of ['allowed:store', 'stored', 'denied:store', 'replaced', 'denied:delete', 'allowed:delete', 'deleted']) {
      assert.ok(mine.includes(expected), `log has ${expected}: ${mine.join(' ')}`);
    }
  });

  it('fallback_bypasses_denial: with KEYHOLD_FALLBACK=env and the app running, the app is asked and its Deny stands', async () => {
    await core.vault.put(server, { token: VALUE });
    const client = new KeyholdClient({
      server: { name: server },
      env: { KEYHOLD_HOME: dataDir.path, KEYHOLD_FALLBACK: 'env', [`KEYHOLD_SECRET_${server.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_TOKEN`]: 'from-env' },
    });
    try {
      prompter.answer({ approval: 'deny' });
      await assert.rejects(client.get(['token']), (e) => isKeyholdError(e, 'denied'));
      prompter.answer({ approval: 'allow' });
      assert.deepEqual(await client.get(['token']), { token: VALUE });
    } finally {
      await client.close();
    }
  });
});

describe('approval windows show what a change is for', () => {
  it('the approval view of a put carries action "store"; of a read, no action (read)', async () => {
    const dir = await makeTempDir('keyhold-cli-ui-');
    const board = new PromptBoard();
    const core = await startCore({ dataDir: dir.path, prompter: board, appVersion: 'test', writeDiscoveryFile: false });
    const handlers = createUiHandlers({ core, board, loginItem: { get: () => false, set: () => undefined }, openExternal: async () => undefined, linkAllowlist: [] });
    const client = new KeyholdClient({ server: { name: `${server}-ui` }, url: core.url, token: core.token });
    const nextPrompt = async (): Promise<string> => {
      for (let i = 0; i < 500; i += 1) {
        const prompt = board.list()[0];
        if (prompt !== undefined) return prompt.id;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('no prompt');
    };
    try {
      const put = client.put({ token: 'ui-value-123' });
      const promptId = await nextPrompt();
      const view = (await dispatchUi(handlers, { kind: 'approval', promptId }, 'approval', 'load', {})) as { action?: string; names: string[] };
      assert.equal(view.action, 'store');
      assert.deepEqual(view.names, ['token']);
      await dispatchUi(handlers, { kind: 'approval', promptId }, 'approval', 'decide', { decision: 'allow' });
      assert.deepEqual(await put, { created: ['token'], replaced: [] });

      const get = client.get(['token']);
      const readId = await nextPrompt();
      const readView = (await dispatchUi(handlers, { kind: 'approval', promptId: readId }, 'approval', 'load', {})) as { action?: string };
      assert.equal(readView.action, undefined);
      await dispatchUi(handlers, { kind: 'approval', promptId: readId }, 'approval', 'decide', { decision: 'allow' });
      assert.deepEqual(await get, { token: 'ui-value-123' });
    } finally {
      await client.close();
      await core.stop();
      await keychain.delete(keychainService(`${server}-ui`), 'token');
      await dir.cleanup();
    }
  });
});
