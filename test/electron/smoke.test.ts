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
 */
import assert from 'node:assert/strict';
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
const { installedElectronBinary } = (await import(ensureElectron)) as { installedElectronBinary: () => string | undefined };
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

test('Electron app: tray, entry window, approval window, clean quit', { skip: binary === undefined ? 'no Electron binary' : false, timeout: 120_000 }, async () => {
  assert.ok(binary);
  assert.ok(existsSync(join(root, 'out/main/index.js')), 'run `npm run build` first');
  const home = await makeTempDir('keyhold-electron-');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !['ELECTRON_RENDERER_URL', 'ELECTRON_RUN_AS_NODE', 'NODE_OPTIONS'].includes(key)) env[key] = value;
  }
  env['KEYHOLD_HOME'] = home.path;
  // The project directory, so Electron reads package.json (name, version, "main": out/main/index.js).
  // Chromium refuses to start as root with its OS sandbox (CI containers): only then is it turned off.
  const args = [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root];
  const app = await _electron.launch({ executablePath: binary, args, cwd: root, env, timeout: 30_000 });
  let client: RawBridgeClient | undefined;
  let closed = false;
  try {
    const discovery = join(home.path, 'bridge.json');
    const { url, token } = await waitFor('bridge.json', () =>
      existsSync(discovery) ? (JSON.parse(readFileSync(discovery, 'utf8')) as { url: string; token: string }) : undefined,
    );

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
