/**
 * `keyhold serve` in a real terminal (tmux pane, 160×50, real keychain)
 * against a client that tries to fool the person answering: blank-padded
 * text that wraps into rows that read like Keyhold's, a guide long enough to
 * scroll the real header away, a password `default` meant to replace a
 * stored secret, and a flood of tokenless connections writing into the
 * prompt's terminal. The screen is read as the terminal drew it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { WebSocket } from 'ws';

import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { RawBridgeClient } from '../helpers/raw-bridge-client.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { AFTER_PROMPT_MS, TmuxServe, tmuxMissing } from '../helpers/tmux-serve.js';

const FAKE_CODE = 'AB12-CD34';
const BLANKS = ['\u2800', '\u3164', '\u115f', '\u1160', '\uffa0', '\u3000', '\u200b', '\u00a0'];

describe('keyhold serve: a client spoofing the terminal prompt', { skip: tmuxMissing ? 'tmux is not installed' : false }, () => {
  const server = `pty-spoof-${randomBytes(3).toString('hex')}`;
  const keychain = createSystemKeychain();
  const clients: RawBridgeClient[] = [];
  let home: { path: string; cleanup: () => Promise<void> };
  let serve: TmuxServe;

  /** A connected client, closed when the test ends: a test that fails mid-prompt must not leave its prompt queued for the next. */
  async function connect(t: TestContext): Promise<RawBridgeClient> {
    const client = await RawBridgeClient.connect(serve.discovery.url, serve.discovery.token);
    clients.push(client);
    t.after(() => client.close());
    const hello = await client.call('hello', { protocol: 1, server: { name: server, version: '1.0.0' }, process: { pid: process.pid } });
    assert.equal(hello.ok, true, JSON.stringify(hello.error));
    return client;
  }

  /** The rows from the last Keyhold title on: the prompt now on screen. */
  function promptRows(scrollback = false): string[] {
    const rows = serve.rows(scrollback);
    const start = rows.findLastIndex((row) => row.startsWith('── Keyhold:'));
    return start < 0 ? rows : rows.slice(start);
  }

  /**
   * Waits until the prompt showing `code` waits for input (the cursor after a
   * question); returns the visible rows and the cursor's row.
   */
  async function waitForInput(code: string): Promise<{ visible: string[]; input: number }> {
    await serve.waitForScreen(code);
    for (let tries = 0; tries < 200; tries++) {
      const visible = serve.rows();
      const input = serve.cursorRow();
      if (promptRows(true).some((row) => row.includes(code)) && /:\s*$/.test(visible[input] ?? '')) return { visible, input };
      await sleep(100);
    }
    throw new Error(`the prompt of ${code} never asked for input:\n${serve.rows(true).join('\n')}`);
  }

  /** Rows that start where Keyhold's own rows start, yet hold the client's fake code. */
  function forgedRows(rows: readonly string[]): string[] {
    return rows.filter((row) => row.includes(FAKE_CODE) && !row.startsWith('  │'));
  }

  /** The verification code on the last "Verification code:" row above the cursor's row. */
  function codeAboveInput(visible: readonly string[], input: number): string | undefined {
    const codeRow = visible.slice(0, input).findLast((row) => row.includes('Verification code:'));
    return /Verification code:\s+(\S+)/.exec(codeRow ?? '')?.[1];
  }

  before(async () => {
    home = await makeTempDir('keyhold-spoof-');
    serve = await TmuxServe.start(home.path);
    await serve.waitForScreen('Press Ctrl-C to stop');
  });

  after(async () => {
    for (const client of clients) client.close();
    await keychain.delete(keychainService(server), 'token');
    serve?.stop();
    await home?.cleanup();
  });

  it('terminal_blank_char_spoof: a reason padded with blank-looking characters cannot wrap into rows that read like Keyhold’s', async (t) => {
    const client = await connect(t);
    // Sized for this 160-column pane: without the defence each fake starts a row of its own.
    const pad = (text: string, used: number): string => text + '\u2800'.repeat(Math.max(0, 160 - used - text.length));
    const reason =
      pad('Read your repositories', 13) + pad('  Process:   pid 1 · verified', 0) + `  Verification code:  ${FAKE_CODE}` + BLANKS.join('').repeat(8);
    const id = client.send('secrets.request', { fields: [{ name: 'token', label: 'Token', type: 'password', required: true }], reason });
    const code = String((await client.pending(id)).data?.['verificationCode']);
    const { visible, input } = await waitForInput(code);
    const rows = promptRows();
    for (const blank of BLANKS) assert.ok(!rows.join('\n').includes(blank), `U+${blank.codePointAt(0)?.toString(16)} reached the terminal`);
    assert.deepEqual(forgedRows(rows), [], 'every row with the fake code is marked as the server’s');
    assert.ok(!rows.some((row) => /^\s*Process:\s+pid 1\b/.test(row)), 'no forged process row');
    assert.equal(codeAboveInput(visible, input), code, 'the code right above the input is the real one');
    await sleep(AFTER_PROMPT_MS);
    serve.keys('Escape');
    assert.equal((await client.reply(id)).error?.code, 'cancelled');
  });

  it('terminal_guide_scrolls_header_away: a 32 KiB guide ending in a fake header is cut; the real header is drawn last, above the input', async (t) => {
    const client = await connect(t);
    const fakeHeader = `\n\n  Server:    ${server} 1.0.0\n  Process:   pid 1 · verified\n  Verification code:  ${FAKE_CODE}   (your MCP client should show the same code)\n`;
    const guide = `${'Open the settings page and copy the key.\n'.repeat(780)}${fakeHeader}`;
    assert.ok(guide.length > 31_000 && guide.length <= 32 * 1024);
    const id = client.send('secrets.request', { fields: [{ name: 'token', label: 'Token', type: 'password', required: true }], guide });
    const code = String((await client.pending(id)).data?.['verificationCode']);
    const { visible, input } = await waitForInput(code);
    assert.ok(visible.some((row) => new RegExp(`Verification code:\\s+${code}`).test(row)), `the real code is on screen:\n${visible.join('\n')}`);
    assert.ok(visible.some((row) => row.startsWith(`  Server:    ${server}`)), 'the real server row is on screen');
    assert.equal(codeAboveInput(visible, input), code, 'the code right above the input is the real one');
    assert.deepEqual(forgedRows(promptRows(true)), []);
    assert.ok(promptRows(true).some((row) => row.startsWith('  │') && row.endsWith('…(cut)')), 'the guide says it was cut');
    await sleep(AFTER_PROMPT_MS);
    serve.keys('Escape');
    assert.equal((await client.reply(id)).error?.code, 'cancelled');
  });

  it('entry_default_overwrites_stored_secret: a password default never fills the field, and replacing a stored value asks to STORE', async (t) => {
    const client = await connect(t);
    const field = { name: 'token', label: 'Token', type: 'password', required: true };
    const first = client.send('secrets.request', { fields: [field] });
    await waitForInput(String((await client.pending(first)).data?.['verificationCode']));
    await sleep(AFTER_PROMPT_MS);
    serve.keys('first-value', true);
    serve.keys('Enter');
    assert.equal((await client.reply(first)).ok, true);

    const id = client.send('secrets.request', { fields: [{ ...field, default: 'attacker-value' }], reason: 'Confirm your token' });
    const code = String((await client.pending(id)).data?.['verificationCode']);
    await waitForInput(code);
    const entry = promptRows(true).join('\n');
    assert.ok(!/preset|default|attacker-value/i.test(entry), `the field says nothing about a preset:\n${entry}`);
    await sleep(AFTER_PROMPT_MS);
    serve.keys('Enter');
    await serve.waitForScreen('✗ token is required.');
    serve.keys('typed-by-the-user', true);
    serve.keys('Enter');
    await serve.waitForScreen('request to STORE secrets');
    await serve.waitForScreen('Your answer: ');
    await sleep(AFTER_PROMPT_MS);
    serve.keys('d', true);
    assert.equal((await client.reply(id)).error?.code, 'denied');
    assert.equal(await keychain.get(keychainService(server), 'token'), 'first-value');
  });

  it('refused_connection_log_flood: 300 tokenless connections print one line, then one summary', async () => {
    for (let attempt = 0; attempt < 300; attempt++) {
      await new Promise<void>((resolve) => {
        const socket = new WebSocket(serve.discovery.url);
        socket.on('unexpected-response', () => resolve());
        socket.on('error', () => resolve());
      });
    }
    await serve.waitForScreen('refused 299 more bridge connections', 30_000);
    const refusals = serve.rows(true).filter((row) => row.includes('refused'));
    assert.deepEqual(refusals.map((row) => row.replace(/ in the last \d+ s/, '')), [
      'keyhold: refused a bridge connection (401): A valid bridge token is required (Authorization: Bearer <token from bridge.json>).',
      'keyhold: refused 299 more bridge connections: 401 ×299',
    ]);
  });
});
