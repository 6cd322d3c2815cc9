/**
 * `keyhold serve` in a real terminal: the command runs in a tmux pane (a real
 * pty, so raw mode and echo are the kernel's, not a fake), with KEYHOLD_HOME a
 * temp dir and the real keychain (run inside scripts/with-test-keyring.sh).
 * A raw bridge client finds it through bridge.json and asks for secrets; the
 * test types answers with `send-keys` and reads the screen with `capture-pane`.
 *
 * Threats covered: a password typed into the terminal must never be on screen
 * (secret_echoed_to_terminal), Enter must not allow an approval, and one
 * server's prompt on screen must not hold up another's whose client already
 * shows its code (terminal_prompt_queue_starvation).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

import { DISCOVERY_FILE_NAME, discoveryFileSchema, type DiscoveryFile } from '../../src/shared/bridge-protocol.js';
import { DEFAULT_INPUT_GUARD_MS } from '../../src/main/cli/terminal-prompter.js';
import { RawBridgeClient } from '../helpers/raw-bridge-client.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const tmuxMissing = spawnSync('tmux', ['-V']).status !== 0;
/** Long enough for the type-ahead guard: keys sent sooner after a prompt appears are dropped by design. */
const AFTER_PROMPT_MS = DEFAULT_INPUT_GUARD_MS + 200;

describe('keyhold serve in a terminal (tmux)', { skip: tmuxMissing ? 'tmux is not installed' : false }, () => {
  const socket = `keyhold-serve-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const pane = 'serve';
  const password = `pty-secret-${randomBytes(6).toString('hex')}`;
  const clients: RawBridgeClient[] = [];
  let home: { path: string; cleanup: () => Promise<void> };
  let discovery: DiscoveryFile;

  function tmux(...args: string[]): string {
    const env: NodeJS.ProcessEnv = { ...process.env, KEYHOLD_HOME: home.path };
    delete env['TMUX'];
    const result = spawnSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env });
    if (result.status !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr}`);
    return result.stdout;
  }

  /** The whole pane, scrollback included. */
  function screen(): string {
    return tmux('capture-pane', '-p', '-J', '-S', '-', '-t', pane);
  }

  async function waitForScreen(text: string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const shown = screen();
      if (shown.includes(text)) return shown;
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${JSON.stringify(text)}; it shows:\n${shown}`);
      await sleep(100);
    }
  }

  /** How often a prompt with this code was drawn (its header's code line; the code may be in reverse video). */
  function shownAsPrompt(code: string): number {
    return screen().split('\n').filter((row) => /^\s*Verification code:/.test(row) && row.includes(code)).length;
  }

  /** Types a line into the prompt on screen (after the type-ahead guard) and returns the request's successful result. */
  async function typeLineFor(client: RawBridgeClient, id: string, text: string): Promise<unknown> {
    await sleep(AFTER_PROMPT_MS);
    tmux('send-keys', '-t', pane, '-l', text);
    tmux('send-keys', '-t', pane, 'Enter');
    const reply = await client.reply(id);
    assert.equal(reply.ok, true, JSON.stringify(reply.error));
    return reply.result;
  }

  async function connect(server = 'pty-test'): Promise<RawBridgeClient> {
    const client = await RawBridgeClient.connect(discovery.url, discovery.token);
    clients.push(client);
    const hello = await client.call('hello', { protocol: 1, server: { name: server, version: '2.0.0' }, process: { pid: process.pid } });
    assert.equal(hello.ok, true, JSON.stringify(hello.error));
    return client;
  }

  before(async () => {
    home = await makeTempDir('keyhold-serve-');
    const command = `'${process.execPath}' bin/keyhold.mjs serve; echo "[keyhold exited with $?]"; sleep 600`;
    tmux('new-session', '-d', '-s', pane, '-x', '160', '-y', '50', '-c', repoRoot, '-e', `KEYHOLD_HOME=${home.path}`, command);
    const file = join(home.path, DISCOVERY_FILE_NAME);
    const deadline = Date.now() + 30_000;
    while (!existsSync(file)) {
      if (Date.now() > deadline) throw new Error(`keyhold serve did not write bridge.json; the terminal shows:\n${screen()}`);
      await sleep(100);
    }
    await sleep(100); // written atomically, but give the banner a moment too
    discovery = discoveryFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  });

  after(async () => {
    for (const client of clients) client.close();
    // kill-server leaves the socket file behind: remove it too.
    const socketPath = spawnSync('tmux', ['-L', socket, 'display-message', '-p', '#{socket_path}'], { encoding: 'utf8' }).stdout.trim();
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    if (socketPath !== '') rmSync(socketPath, { force: true });
    await home?.cleanup();
  });

  it('prints a banner with the version, data dir and bridge URL, never the token', async () => {
    const shown = await waitForScreen('Press Ctrl-C to stop');
    assert.match(shown, /Keyhold \d+\.\d+\.\d+/);
    assert.ok(shown.includes(home.path));
    assert.ok(shown.includes(discovery.url));
    assert.ok(!shown.includes(discovery.token));
  });

  it('secret_echoed_to_terminal: an entry typed with echo off reaches the client but never the screen', async () => {
    const client = await connect();
    const id = client.send('secrets.request', {
      fields: [{ name: 'API_KEY', label: 'API key', type: 'password', required: true }],
      reason: 'serve-pty integration test',
    });
    const pending = await client.pending(id);
    assert.equal(pending.data?.['kind'], 'entry');
    const code = String(pending.data?.['verificationCode']);
    await waitForScreen(code);
    await waitForScreen('API_KEY: ');
    await sleep(AFTER_PROMPT_MS);

    tmux('send-keys', '-t', pane, '-l', password);
    await sleep(300);
    assert.ok(!screen().includes(password), 'the typed password must not be echoed');
    tmux('send-keys', '-t', pane, 'Enter');

    const reply = await client.reply(id);
    assert.equal(reply.ok, true, JSON.stringify(reply.error));
    assert.deepEqual(reply.result, { values: { API_KEY: password } });
    const shown = await waitForScreen('Value handed to Keyhold');
    assert.ok(!shown.includes(password));
  });

  it('prompt_answered_by_accident: an approval ignores Enter and is answered with a single key', async () => {
    const client = await connect(); // a new session: no session grant yet
    const id = client.send('secrets.get', { names: ['API_KEY'], reason: 'use the key', tool: 'fetch_forecast' });
    const pending = await client.pending(id);
    assert.equal(pending.data?.['kind'], 'approval');
    const code = String(pending.data?.['verificationCode']);
    await waitForScreen(code);
    const shown = await waitForScreen('Your answer: ');
    for (const expected of ['pty-test 2.0.0', `pid ${process.pid}`, 'API_KEY', 'use the key', 'fetch_forecast']) {
      assert.ok(shown.includes(expected), `the approval should show ${expected}`);
    }
    await sleep(AFTER_PROMPT_MS);

    tmux('send-keys', '-t', pane, 'Enter');
    await waitForScreen('Enter does not answer');
    await sleep(200);
    assert.ok(!client.frames.some((frame) => frame.id === id), 'Enter must not answer the approval');

    tmux('send-keys', '-t', pane, 'a');
    const reply = await client.reply(id);
    assert.equal(reply.ok, true, JSON.stringify(reply.error));
    assert.deepEqual(reply.result, { values: { API_KEY: password } });
    assert.ok(!(await waitForScreen('allowed once')).includes(password));
  });

  it('terminal_prompt_queue_starvation: a second server\'s prompt is listed with its code at once, and Tab brings it up while the first waits', async () => {
    const slow = await connect('pty-slow');
    const slowId = slow.send('secrets.request', { fields: [{ name: 'SLOW_VALUE', label: 'Slow value', type: 'text', required: true }] });
    const slowCode = String((await slow.pending(slowId)).data?.['verificationCode']);
    await waitForScreen(slowCode);
    await waitForScreen('SLOW_VALUE: ');

    const other = await connect('pty-other');
    const otherId = other.send('secrets.request', { fields: [{ name: 'OTHER_KEY', label: 'Other key', type: 'password', required: true }] });
    // Its MCP client shows this code now: the terminal must say that the request is there.
    const otherCode = String((await other.pending(otherId)).data?.['verificationCode']);
    await waitForScreen(`pty-other · entry · code ${otherCode}`);
    await sleep(AFTER_PROMPT_MS);

    tmux('send-keys', '-t', pane, 'Tab');
    await waitForScreen(`Switched: request ${slowCode} from pty-slow waits, not answered.`);
    await waitForScreen('OTHER_KEY: ');
    assert.equal(shownAsPrompt(otherCode), 1, 'the second request is on screen now');
    assert.deepEqual(await typeLineFor(other, otherId, 'other-secret-value'), { values: { OTHER_KEY: 'other-secret-value' } });
    assert.ok(!slow.frames.some((frame) => frame.id === slowId), 'switching answered nothing for the first request');

    // The first one comes back and is answered as usual.
    const deadline = Date.now() + 20_000;
    while (shownAsPrompt(slowCode) < 2) {
      if (Date.now() > deadline) throw new Error(`the first request was never shown again:\n${screen()}`);
      await sleep(100);
    }
    assert.deepEqual(await typeLineFor(slow, slowId, 'eu-west'), { values: { SLOW_VALUE: 'eu-west' } });
    assert.ok(!screen().includes('other-secret-value'), 'the hidden value was never echoed');
  });

  it('stops on Ctrl-C: exit code 0, bridge.json removed', async () => {
    tmux('send-keys', '-t', pane, 'C-c');
    await waitForScreen('[keyhold exited with 0]');
    assert.ok(!existsSync(join(home.path, DISCOVERY_FILE_NAME)));
  });
});
