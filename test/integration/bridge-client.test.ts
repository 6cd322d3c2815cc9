/**
 * @keyhold/bridge's KeyholdClient against the real core and the real keychain
 * (run inside a throwaway gnome-keyring session by scripts/with-test-keyring.sh):
 * discovery through bridge.json, pending events with the window's code,
 * cancel closing the window, app restarts on a new port and token, and the
 * "not running" message when nothing runs.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { KeyholdClient, isKeyholdError, type PendingEvent } from '../../src/bridge/index.js';
import { startCore, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeyholdClient against the real core', () => {
  let dataDir: string;
  let cleanup: () => Promise<void>;
  let prompter: ScriptedPrompter;
  let core: KeyholdCore;
  const clients: KeyholdClient[] = [];

  /** A client that finds the core only through bridge.json in the temp data dir (env is empty). */
  function client(name: string, options: { connectTimeoutMs?: number; requestTimeoutMs?: number } = {}): KeyholdClient {
    const made = new KeyholdClient({ server: { name, version: '1.0.0' }, dataDir, env: {}, connectTimeoutMs: 3_000, ...options });
    clients.push(made);
    return made;
  }

  before(async () => {
    const dir = await makeTempDir('keyhold-bridge-client-');
    dataDir = dir.path;
    cleanup = dir.cleanup;
    prompter = new ScriptedPrompter();
    core = await startCore({ dataDir, prompter, appVersion: 'test' });
  });

  after(async () => {
    for (const made of clients) await made.close();
    await core.stop();
    await cleanup();
  });

  it('get: the entry window opens, the pending event carries its verification code, the saved value comes back', async () => {
    const kh = client('weather');
    const since = prompter.shown.length;
    prompter.answer({ entry: { action: 'save', values: { API_KEY: 'sk-weather-1' } } });
    const events: PendingEvent[] = [];
    kh.onPending((event) => events.push(event));
    const values = await kh.get(['API_KEY'], { reason: 'forecast for Paris', tool: 'get_forecast' });
    assert.deepEqual(values, { API_KEY: 'sk-weather-1' });

    const shown = prompter.shown[since]?.prompt;
    assert.equal(shown?.kind, 'entry');
    assert.equal(events.length, 1);
    assert.equal(events[0]?.kind, 'entry');
    assert.equal(events[0]?.verificationCode, shown?.verificationCode, 'the code the MCP server gets is the one in the window');
    assert.match(events[0]?.verificationCode ?? '', /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    assert.equal(shown?.server, 'weather');
    assert.equal(shown?.reason, 'forecast for Paris');

    assert.deepEqual(await kh.status(['API_KEY']), [{ name: 'API_KEY', exists: true, invalidated: false }]);
  });

  it('get of a stored secret: approval window; Deny → denied, Allow for session → no second window', async () => {
    const kh = client('weather');
    prompter.answer({ approval: 'deny' });
    await assert.rejects(kh.get(['API_KEY']), (error: unknown) => isKeyholdError(error, 'denied'));

    const codes: string[] = [];
    prompter.answer({ approval: 'allow_session' });
    assert.deepEqual(await kh.get(['API_KEY'], { onPending: (event) => codes.push(event.verificationCode) }), { API_KEY: 'sk-weather-1' });
    assert.equal(codes.length, 1);
    const before = prompter.shown.length;
    assert.deepEqual(await kh.get(['API_KEY']), { API_KEY: 'sk-weather-1' });
    assert.equal(prompter.shown.length, before, 'the session grant answered without a window');
  });

  it('an aborted signal → cancelled, and the window is closed', async () => {
    const kh = client('abort-me');
    const since = prompter.shown.length;
    prompter.answer({ hold: true });
    const controller = new AbortController();
    const pending = kh.get(['TOKEN'], {
      signal: controller.signal,
      onPending: () => controller.abort(),
    });
    await assert.rejects(pending, (error: unknown) => isKeyholdError(error, 'cancelled'));
    const record = prompter.shown[since];
    assert.ok(record !== undefined, 'a window was shown');
    for (let i = 0; i < 100 && record.outcome === 'open'; i++) await delay(10);
    assert.equal(record.outcome, 'aborted', 'the window was taken off screen');
  });

  it('cancel(id) from a pending event closes the window; the request rejects with cancelled', async () => {
    const kh = client('cancel-by-id');
    const since = prompter.shown.length;
    prompter.answer({ hold: true });
    const pending = kh.request([{ name: 'PASSWORD', label: 'Password', type: 'password', required: true }], {
      onPending: (event) => void kh.cancel(event.id),
    });
    await assert.rejects(pending, (error: unknown) => isKeyholdError(error, 'cancelled'));
    const record = prompter.shown[since];
    for (let i = 0; i < 100 && record?.outcome === 'open'; i++) await delay(10);
    assert.equal(record?.outcome, 'aborted');
  });

  it('a window nobody answers → timeout from the app, window closed', async () => {
    const kh = client('slow-user', { requestTimeoutMs: 300 });
    const since = prompter.shown.length;
    prompter.answer({ hold: true });
    await assert.rejects(kh.get(['KEY']), (error: unknown) => isKeyholdError(error, 'timeout'));
    assert.equal(prompter.shown[since]?.outcome, 'aborted');
  });

  it('a stale env token → unauthorized with a hint, never echoing the token', async () => {
    const stale = 'x'.repeat(43);
    const kh = new KeyholdClient({ server: { name: 'stale' }, env: { KEYHOLD_BRIDGE_URL: core.url, KEYHOLD_BRIDGE_TOKEN: stale } });
    clients.push(kh);
    await assert.rejects(kh.status(), (error: unknown) => {
      assert.ok(isKeyholdError(error, 'unauthorized'));
      assert.match(error.message, /KEYHOLD_BRIDGE_URL/);
      assert.ok(!error.message.includes(stale));
      return true;
    });
  });

  it('the app stops and starts again on a new port and token: the client re-reads bridge.json and carries on', async () => {
    const kh = client('restarts', { connectTimeoutMs: 5_000 });
    assert.deepEqual(await kh.status(['X']), [{ name: 'X', exists: false, invalidated: false }]);
    const oldUrl = core.url;
    const oldToken = core.token;

    prompter.answer({ hold: true });
    const shownBefore = prompter.shown.length;
    const inFlight = assert.rejects(kh.get(['X']), (error: unknown) => {
      // The app answers `cancelled` as it shuts down, or the close beats the answer.
      assert.ok(isKeyholdError(error, 'cancelled') || isKeyholdError(error, 'unavailable'), String(error));
      return true;
    });
    while (prompter.shown.length === shownBefore) await delay(10);
    await core.stop();
    await inFlight;

    // While the app is down, a call waits for it (up to connectTimeoutMs) instead of failing at once.
    const waiting = kh.status(['X']);
    await delay(400);
    core = await startCore({ dataDir, prompter, appVersion: 'test' });
    assert.notEqual(core.token, oldToken);
    assert.notEqual(core.url, oldUrl);
    assert.deepEqual(await waiting, [{ name: 'X', exists: false, invalidated: false }]);
    assert.ok(core.sessions().some((session) => session.server === 'restarts'), 'connected to the new app');
  });

  it('nothing running → unavailable "not running" naming bridge.json and the env vars, with what to do', async () => {
    const empty = await makeTempDir('keyhold-nothing-');
    try {
      const kh = new KeyholdClient({ server: { name: 'lonely' }, env: { KEYHOLD_HOME: empty.path }, connectTimeoutMs: 400 });
      clients.push(kh);
      const started = Date.now();
      await assert.rejects(kh.get(['API_KEY']), (error: unknown) => {
        assert.ok(isKeyholdError(error, 'unavailable'));
        assert.match(error.message, /^The Keyhold app is not running/);
        assert.ok(error.message.includes(join(empty.path, 'bridge.json')));
        assert.ok(error.message.includes('KEYHOLD_BRIDGE_URL') && error.message.includes('KEYHOLD_BRIDGE_TOKEN'));
        assert.ok(error.message.includes('Start the Keyhold app, or run `npx keyhold serve` in a terminal'));
        return true;
      });
      assert.ok(Date.now() - started >= 350, 'waited connectTimeoutMs for the app to appear');
    } finally {
      await empty.cleanup();
    }
  });

  it('an idle MCP server process can exit while its client is still connected', async () => {
    const clientModule = new URL('../../src/bridge/index.ts', import.meta.url).href;
    const script = `
      const { KeyholdClient } = await import(${JSON.stringify(clientModule)});
      const kh = new KeyholdClient({ server: { name: 'idle' }, env: { KEYHOLD_HOME: ${JSON.stringify(dataDir)} } });
      const status = await kh.status(['A']);
      console.log(JSON.stringify(status));
      // no close(): the process must still end on its own
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('exit', (exitCode) => {
        clearTimeout(killer);
        resolve(exitCode);
      });
    });
    assert.equal(code, 0, `child did not exit cleanly on its own: ${stderr}`);
    assert.deepEqual(JSON.parse(stdout.trim()), [{ name: 'A', exists: false, invalidated: false }]);
  });
});
