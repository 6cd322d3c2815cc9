/**
 * Electron smoke test: the real app (out/main/index.js) in the real Electron,
 * driven by Playwright's `_electron`. Needs the Electron binary, a display and
 * a Secret Service, so it runs where those exist:
 *
 *   node scripts/ensure-electron.mjs        # fetches the binary once (npm start does too)
 *   npm run build
 *   xvfb-run -a bash scripts/with-test-keyring.sh npm run test:electron
 *
 * Without the binary it reports itself skipped — never passed.
 *
 * Checks: the app starts, writes bridge.json and shows a tray icon; an MCP
 * server (a raw WebSocket client speaking protocol v1) asks for a secret that
 * is not stored → the entry window opens with the code from the `pending`
 * event → Save returns the value; asking again → the approval window opens →
 * Allow returns the stored value; quitting removes bridge.json.
 * Launch modes: a launch by the user opens the manager; `--hidden` (login
 * items) opens nothing; a second launch focuses the first; Cmd/Ctrl+R in a
 * pre-loaded prompt window does not blank it.
 *
 * The Chromium sandbox stays on: as root (CI containers) Chromium refuses to
 * start without --no-sandbox, so only then is it passed; on Ubuntu >= 23.10
 * without a set-up SUID helper the test fails with the one-line fix
 * (scripts/ensure-electron.mjs) instead of turning the sandbox off.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { _electron, type ElectronApplication, type Page } from 'playwright-core';

import { RawBridgeClient } from '../helpers/raw-bridge-client.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
// A variable specifier: the plain-JS helper is loaded at run time, without type declarations.
const ensureElectron = pathToFileURL(join(root, 'scripts', 'ensure-electron.mjs')).href;
const { installedElectronBinary, sandboxFacts, sandboxProblem } = (await import(ensureElectron)) as {
  installedElectronBinary: () => string | undefined;
  sandboxFacts: () => unknown;
  sandboxProblem: (facts: unknown) => string | undefined;
};
const binary = installedElectronBinary();

if (binary === undefined) {
  process.stdout.write(
    'skipped: no Electron binary (fetch it with `node scripts/ensure-electron.mjs`, then `npm run build && xvfb-run -a bash scripts/with-test-keyring.sh npm run test:electron`)\n',
  );
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function windowShowing(app: ElectronApplication, page: string): Promise<Page> {
  return waitFor(`the ${page} window`, () => app.windows().find((w) => new URL(w.url()).pathname.endsWith(`/${page}`)));
}

async function shownCode(page: Page): Promise<string> {
  const code = page.getByTestId('verification-code');
  await code.waitFor();
  return (await code.innerText()).replace(/\s+/g, '');
}

/** The environment and arguments the app is launched with (the project dir, so Electron reads package.json). */
function launchSetup(home: string, extraArgs: readonly string[]): { env: Record<string, string>; args: string[] } {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !['ELECTRON_RENDERER_URL', 'ELECTRON_RUN_AS_NODE', 'NODE_OPTIONS'].includes(key)) env[key] = value;
  }
  env['KEYHOLD_HOME'] = home;
  const problem = sandboxProblem(sandboxFacts());
  assert.equal(problem, undefined, problem);
  // Chromium refuses to start as root with its OS sandbox (CI containers): only then is it turned off.
  const args = [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root, ...extraArgs];
  return { env, args };
}

async function launch(home: string, extraArgs: readonly string[] = []): Promise<ElectronApplication> {
  assert.ok(binary);
  assert.ok(existsSync(join(root, 'out/main/index.js')), 'run `npm run build` first');
  const { env, args } = launchSetup(home, extraArgs);
  return _electron.launch({ executablePath: binary, args, cwd: root, env, timeout: 30_000 });
}

async function discoveryOf(home: string): Promise<{ url: string; token: string }> {
  const discovery = join(home, 'bridge.json');
  return waitFor('bridge.json', () => (existsSync(discovery) ? (JSON.parse(readFileSync(discovery, 'utf8')) as { url: string; token: string }) : undefined));
}

const skipWithoutBinary = binary === undefined ? 'no Electron binary' : false;

test('Electron app: tray, entry window, approval window, clean quit', { skip: skipWithoutBinary, timeout: 120_000 }, async () => {
  const home = await makeTempDir('keyhold-electron-');
  // As a login item starts it: no window until a prompt.
  const app = await launch(home.path, ['--hidden']);
  let client: RawBridgeClient | undefined;
  let closed = false;
  try {
    const discovery = join(home.path, 'bridge.json');
    const { url, token } = await discoveryOf(home.path);

    const trayShown = await app.evaluate(() => {
      const tray = (globalThis as unknown as Record<symbol, { isDestroyed(): boolean } | undefined>)[Symbol.for('keyhold.tray')];
      return tray !== undefined && !tray.isDestroyed();
    });
    assert.equal(trayShown, true, 'the tray icon exists');

    client = await RawBridgeClient.hello(url, token, 'smoke-test');

    // Not stored yet: the entry window.
    const requestId = client.send('secrets.request', {
      fields: [{ name: 'api_key', label: 'API key', type: 'password', required: true }],
      reason: 'Electron smoke test',
    });
    const entryPending = await client.pending(requestId);
    const entry = await windowShowing(app, 'entry.html');
    assert.equal(await shownCode(entry), String(entryPending.data?.['verificationCode']).replace(/\s+/g, ''));
    const titles = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.getTitle()));
    assert.deepEqual(titles, ['Keyhold — smoke-test'], 'one window, titled with the server (the page cannot change it)');
    await entry.getByLabel('API key', { exact: true }).fill('sk-smoke-123');
    await entry.getByTestId('save').click();
    const saved = await client.reply(requestId);
    assert.equal(saved.ok, true, JSON.stringify(saved.error));
    assert.deepEqual(saved.result?.['values'], { api_key: 'sk-smoke-123' });

    // Stored, not granted: the approval window.
    const getId = client.send('secrets.get', { names: ['api_key'], reason: 'Electron smoke test' });
    const approvalPending = await client.pending(getId);
    const approval = await windowShowing(app, 'approval.html');
    assert.equal(await shownCode(approval), String(approvalPending.data?.['verificationCode']).replace(/\s+/g, ''));
    await approval.getByTestId('allow').click();
    const allowed = await client.reply(getId);
    assert.equal(allowed.ok, true, JSON.stringify(allowed.error));
    assert.deepEqual(allowed.result?.['values'], { api_key: 'sk-smoke-123' });

    // Quit: the core stops and removes its discovery file.
    client.close();
    client = undefined;
    await app.close();
    closed = true;
    await waitFor('bridge.json to be removed', () => (existsSync(discovery) ? undefined : true), 10_000);
  } finally {
    client?.close();
    if (!closed) await app.close();
    await home.cleanup();
  }
});

test('Electron app: a launch by the user opens the manager; a second launch focuses it', { skip: skipWithoutBinary, timeout: 120_000 }, async () => {
  const home = await makeTempDir('keyhold-electron-');
  const app = await launch(home.path);
  try {
    await windowShowing(app, 'manager.html');
    // Something else takes focus, then Keyhold is launched again: the running one brings its manager forward.
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().forEach((w) => w.blur()));
    assert.ok(binary);
    const { env, args } = launchSetup(home.path, []);
    const second = spawnSync(binary, args, { cwd: root, env, timeout: 60_000 });
    assert.equal(second.status, 0, 'the second launch quits at once');
    const focused = await waitFor('the manager to be focused', async () => {
      const url = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getFocusedWindow()?.webContents.getURL());
      return url?.includes('manager.html') === true ? url : undefined;
    });
    assert.match(focused, /manager\.html/);
    assert.equal(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length), 1, 'still one window');
  } finally {
    await app.close();
    await home.cleanup();
  }
});

test('Electron app: --hidden (a login item) opens no window', { skip: skipWithoutBinary, timeout: 120_000 }, async () => {
  const home = await makeTempDir('keyhold-electron-');
  const app = await launch(home.path, ['--hidden']);
  try {
    await discoveryOf(home.path);
    // The runtime is up (bridge.json is written after the windows would have opened).
    assert.deepEqual(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.webContents.getURL())), []);
  } finally {
    await app.close();
    await home.cleanup();
  }
});

test('Electron app: Cmd/Ctrl+R in a pre-loaded prompt window does not blank it', { skip: skipWithoutBinary, timeout: 120_000 }, async () => {
  const home = await makeTempDir('keyhold-electron-');
  const app = await launch(home.path, ['--hidden']);
  let client: RawBridgeClient | undefined;
  try {
    const { url, token } = await discoveryOf(home.path);
    client = await RawBridgeClient.hello(url, token, 'smoke-reload');
    const fields = [{ name: 'k', label: 'K', type: 'password', required: true }];
    const first = client.send('secrets.request', { fields });
    await client.pending(first);
    const entry = await windowShowing(app, 'entry.html');
    await entry.getByLabel('K', { exact: true }).fill('v1');
    await entry.getByTestId('save').click();
    await client.reply(first);
    // The next entry prompt is served by the pre-loaded window (URL #warm).
    await waitFor('a warm entry window', async () => (await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().some((w) => w.webContents.getURL().endsWith('#warm')))) || undefined);
    const second = client.send('secrets.request', { fields: [{ name: 'k2', label: 'K2', type: 'password', required: true }] });
    const pending = await client.pending(second);
    const warm = await waitFor('the warm window showing the prompt', () => app.windows().find((w) => w.url().endsWith('entry.html#warm')));
    const code = String(pending.data?.['verificationCode']).replace(/\s+/g, '');
    assert.equal(await shownCode(warm), code);
    await warm.keyboard.press(process.platform === 'darwin' ? 'Meta+R' : 'Control+R');
    // Whether or not a reload happened, the page shows the prompt (no menu reloads it; a reloaded page pulls it).
    await warm.waitForLoadState();
    assert.equal(await shownCode(warm), code);
    await warm.getByTestId('cancel').click();
    await client.reply(second);
  } finally {
    client?.close();
    await app.close();
    await home.cleanup();
  }
});
