/**
 * `keyhold set` in a real terminal (a tmux pane, so echo and raw mode are the
 * kernel's): the value typed at the hidden prompt is never on screen, and it
 * reaches the keychain after the (scripted) approval. The core runs in this
 * process; the command finds it through bridge.json.
 *
 * Threat: secret_echoed_to_terminal.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { startCore, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { REPO_ROOT } from '../helpers/spawn-serve.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const tmuxMissing = spawnSync('tmux', ['-V']).status !== 0;
const keychain = createSystemKeychain();

describe('keyhold set in a terminal (tmux)', { skip: tmuxMissing ? 'tmux is not installed' : false }, () => {
  const socket = `keyhold-set-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const server = `setpty-${process.pid}${Date.now().toString(36)}`;
  const value = `typed-${randomBytes(8).toString('hex')}`;
  let home: { path: string; cleanup: () => Promise<void> };
  let core: KeyholdCore;
  const prompter = new ScriptedPrompter();

  function tmux(...args: string[]): string {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['TMUX'];
    const result = spawnSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env });
    if (result.status !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr}`);
    return result.stdout;
  }

  async function waitForScreen(text: string): Promise<string> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const shown = tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'set');
      if (shown.includes(text)) return shown;
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${JSON.stringify(text)}; it shows:\n${shown}`);
      await sleep(100);
    }
  }

  before(async () => {
    home = await makeTempDir('keyhold-set-pty-');
    core = await startCore({ dataDir: home.path, prompter, appVersion: 'test' });
  });
  after(async () => {
    const socketPath = spawnSync('tmux', ['-L', socket, 'display-message', '-p', '#{socket_path}'], { encoding: 'utf8' }).stdout.trim();
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    if (socketPath !== '') rmSync(socketPath, { force: true });
    await core.stop();
    await keychain.delete(keychainService(server), 'token');
    await home.cleanup();
  });

  it('secret_echoed_to_terminal: the hidden prompt shows nothing typed; the value is stored after approval', async () => {
    prompter.answer({ approval: 'allow' });
    const command = `'${process.execPath}' bin/keyhold.mjs set ${server}/token; echo "[set exited with $?]"; sleep 600`;
    tmux('new-session', '-d', '-s', 'set', '-x', '160', '-y', '30', '-c', REPO_ROOT, '-e', `KEYHOLD_HOME=${home.path}`, command);
    await waitForScreen('(hidden; Enter stores it, Esc cancels)');
    tmux('send-keys', '-t', 'set', '-l', value);
    await sleep(300);
    assert.ok(!tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'set').includes(value), 'the typed value must not be echoed');
    tmux('send-keys', '-t', 'set', 'Enter');
    const shown = await waitForScreen('[set exited with 0]');
    assert.ok(shown.includes(`Stored ${server}/token.`));
    assert.ok(!shown.includes(value));
    assert.equal(await keychain.get(keychainService(server), 'token'), value);
    const prompt = prompter.shown[0]?.prompt;
    assert.ok(prompt?.kind === 'approval' && prompt.action === 'store');
  });
});
