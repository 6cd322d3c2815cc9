/**
 * The BUILT main process (out/main/index.js) on plain Node, against a fake
 * Electron and an in-memory keychain (test/electron/fake-electron/). Runs
 * everywhere — no Electron binary, display or Secret Service needed — and
 * proves the wiring the unit tests cannot: main.ts + app-runtime.ts connect
 * the core's bridge, the prompt board, the windows, the IPC router and the
 * tray; quitting cancels pending requests and removes bridge.json; startup
 * failures end in an error box and exit code 1.
 *
 * The real-Chromium behaviour (sandbox, CSP, the React windows) is covered
 * by smoke.test.ts where an Electron binary exists.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { desktopExecArgument } from '../../src/main/electron/login-item.js';
import { eventChannel, invokeChannel, methodsOf, WINDOW_KINDS } from '../../src/shared/ipc-contract.js';
import { RawBridgeClient } from '../helpers/raw-bridge-client.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { bundleMissing as skip, installCopy, labels, live, MainProcess, openWindow, pageOf, PLATFORMS, waitFor, type RunAs } from './helpers/main-process-harness.js';

const SECRET = 'sk-wiring-1f2e';

/** Every platform branch of main, unpackaged (a dev run) and packaged (an installed build). */
const MATRIX: RunAs[] = PLATFORMS.flatMap((platform) => [false, true].map((packaged) => ({ platform, packaged })));

for (const runAs of MATRIX) describe(`built main process on a fake Electron: ${runAs.platform}, ${runAs.packaged ? 'packaged' : 'development run'}`, { skip }, () => {
  let home: Awaited<ReturnType<typeof makeTempDir>>;
  let install: Awaited<ReturnType<typeof installCopy>>;
  let main: MainProcess;
  let client: RawBridgeClient;
  let discovery: string;
  const env = (): Record<string, string> => ({ KEYHOLD_HOME: join(home.path, 'data'), XDG_CONFIG_HOME: join(home.path, 'config') });

  before(async () => {
    home = await makeTempDir('keyhold-main-');
    install = await installCopy();
    discovery = join(home.path, 'data', 'bridge.json');
    // Started as a login item does: quiet, in the tray.
    main = MainProcess.start(env(), { runAs, installDir: install.path, args: ['--hidden'] });
    const { url, token } = await waitFor('bridge.json', () =>
      existsSync(discovery) ? (JSON.parse(readFileSync(discovery, 'utf8')) as { url: string; token: string }) : undefined,
    );
    client = await RawBridgeClient.hello(url, token, 'wiring');
  });

  after(async () => {
    client?.close();
    await main.stop();
    await home.cleanup();
    await install.cleanup();
  });

  it('starts as a tray app: userData is the data dir, sandbox on, session hardened, every contract channel handled, no window', async () => {
    const state = await main.state();
    assert.equal(state.app.name, 'Keyhold');
    assert.equal(state.app.paths['userData'], join(home.path, 'data'));
    assert.equal(state.app.paths['sessionData'], join(home.path, 'data', 'Chromium'));
    assert.equal(state.app.sandboxEnabled, true);
    assert.equal(state.app.singleInstanceRequested, true);
    assert.deepEqual(state.app.protocolClients, runAs.packaged ? ['keyhold'] : [], 'only an installed build registers keyhold://');
    if (runAs.platform === 'darwin') assert.deepEqual(state.applicationMenu?.map((m) => m.role), ['appMenu', 'editMenu', 'windowMenu'], 'no View menu: no Reload');
    else assert.equal(state.applicationMenu, null, 'no application menu (and no Ctrl+R) on Windows and Linux');
    assert.deepEqual(state.session, { permissionRequest: true, permissionCheck: true, device: true, headerUrls: ['file://*/*'] });
    const expected = WINDOW_KINDS.flatMap((kind) => methodsOf(kind).map((m) => invokeChannel(kind, m))).sort();
    assert.deepEqual(state.ipcChannels, expected);
    for (const event of ['second-instance', 'open-url', 'window-all-closed', 'before-quit', 'activate', 'web-contents-created']) {
      assert.ok(state.appEvents.includes(event), `app listens to ${event}`);
    }
    assert.deepEqual(state.windows, []);
    const tray = state.tray;
    const icon = { darwin: 'tray-iconTemplate.png', win32: 'tray-icon.ico', linux: 'tray-icon.png' }[runAs.platform];
    assert.ok(tray !== null && tray.image.endsWith(join('build', icon)), tray?.image);
    assert.ok(existsSync(tray.image), 'the tray icon file exists');
    assert.equal(tray.clickListeners, runAs.platform === 'darwin' ? 0 : 1, 'a left click acts on Windows and Linux (KDE); on macOS it opens the menu');
    assert.equal(tray.tooltip, 'Keyhold');
    assert.deepEqual(labels(tray.menu).slice(0, 1), ['No pending requests']);
  });

  it('secrets.request opens a locked-down entry window; its IPC answers the bridge with the value', async () => {
    const requestId = client.send('secrets.request', { fields: [{ name: 'api_key', label: 'API key', type: 'password', required: true }] });
    const pending = await client.pending(requestId);
    const entry = await openWindow(main, 'entry');
    assert.equal(entry.title, 'Keyhold — wiring');
    assert.equal(entry.options.show, false);
    assert.equal(entry.options.webPreferences['sandbox'], true);
    assert.equal(entry.options.webPreferences['contextIsolation'], true);
    assert.equal(entry.options.webPreferences['nodeIntegration'], false);
    assert.equal(entry.options.webPreferences['devTools'], false);
    assert.ok(String(entry.options.webPreferences['preload']).endsWith(join('out', 'preload', 'index.cjs')));
    assert.deepEqual(entry.options.webPreferences['additionalArguments'], ['--keyhold-window=entry']);
    assert.ok(entry.loaded.file?.endsWith(join('out', 'renderer', 'entry.html')));
    assert.equal(entry.contentProtection, true);
    assert.equal(entry.menuRemoved, true);
    assert.equal(entry.denyWindowOpen, true);
    for (const event of ['will-navigate', 'will-redirect', 'will-frame-navigate', 'will-attach-webview']) assert.ok(entry.contentsEvents.includes(event), event);

    const state = await main.state();
    assert.equal(state.tray?.tooltip, 'Keyhold — 1 pending request');
    assert.deepEqual(
      state.notifications.map((n) => [n.title, n.shown]),
      [['wiring asks you to enter api_key', true]],
      'Keyhold had no focused window: a notification says a prompt opened',
    );

    const view = (await main.invoke(entry.id, invokeChannel('entry', 'load'), {})) as { verificationCode: string; server: string };
    assert.equal(view.server, 'wiring');
    assert.equal(view.verificationCode, pending.data?.['verificationCode']);
    assert.deepEqual(await main.invoke(entry.id, invokeChannel('entry', 'submit'), { values: { api_key: SECRET } }), { ok: true });
    const reply = await client.reply(requestId);
    assert.equal(reply.ok, true, JSON.stringify(reply.error));
    assert.deepEqual(reply.result?.['values'], { api_key: SECRET });

    const after = await waitFor('the entry window to close', async () => {
      const s = await main.state();
      return s.windows.find((w) => w.id === entry.id)?.destroyed === true ? s : undefined;
    });
    assert.equal(after.notifications[0]?.closed, true, 'the notification goes with its prompt');
  });

  it('forged IPC into a prompt window is rejected and logged without payload; closing the window denies', async () => {
    const requestId = client.send('secrets.get', { names: ['api_key'] });
    await client.pending(requestId);
    const approval = await openWindow(main, 'approval');
    const decide = invokeChannel('approval', 'decide');
    await assert.rejects(main.invoke(approval.id, decide, { decision: 'allow' }, 'sub'), /Keyhold refused this request/);
    await assert.rejects(main.invoke(approval.id, decide, { decision: 'allow' }, { url: 'https://evil.example/approval.html' }), /Keyhold refused this request/);
    await assert.rejects(main.invoke(approval.id, decide, { decision: 'allow' }, 'gone'), /Keyhold refused this request/);
    await assert.rejects(main.invoke(approval.id, invokeChannel('manager', 'revealSecret'), { server: 'wiring', name: 'api_key' }), /may not call manager\.revealSecret/);
    await assert.rejects(main.invoke(approval.id, decide, { decision: 'allow', note: SECRET }), /Bad payload for approval\.decide/);
    assert.match(main.stderr, /rejected IPC keyhold:approval\.decide from a subframe of approval window/);
    assert.match(main.stderr, /rejected IPC keyhold:approval\.decide from approval window \d+ \(prompt [A-Za-z0-9_-]+\): its frame does not show the approval page/);
    assert.match(main.stderr, /rejected IPC keyhold:manager\.revealSecret from approval window/);

    await main.call({ op: 'close-window', windowId: approval.id });
    const reply = await client.reply(requestId);
    assert.equal(reply.ok, false);
    assert.equal(reply.error?.code, 'denied');
  });

  it('Allow for session appears in the tray; the tray Lock revokes it', async () => {
    const requestId = client.send('secrets.get', { names: ['api_key'] });
    await client.pending(requestId);
    const approval = await openWindow(main, 'approval');
    await main.invoke(approval.id, invokeChannel('approval', 'decide'), { decision: 'allow_session' });
    const reply = await client.reply(requestId);
    assert.deepEqual(reply.result?.['values'], { api_key: SECRET });

    const withGrant = await waitFor('the grant in the tray', async () => {
      const menu = (await main.state()).tray?.menu ?? [];
      return labels(menu).includes('Revoke wiring: api_key') ? menu : undefined;
    });
    const stored = withGrant.find((i) => i.label === 'Stored secrets (1)');
    assert.deepEqual(stored?.submenu?.map((s) => [s.label, labels(s.submenu ?? [])]), [['wiring (1)', ['api_key', null, 'Manage…']]]);
    await main.call({ op: 'tray-click', path: ['Revoke all (Lock)'] });
    await waitFor('the grant to leave the tray', async () => (labels((await main.state()).tray?.menu ?? []).includes('No session grants') ? true : undefined));
  });

  it('Open Keyhold opens one manager window; a second launch focuses it; changes reach it as events', async () => {
    await main.call({ op: 'tray-click', path: ['Open Keyhold'] });
    const manager = await openWindow(main, 'manager');
    assert.equal(manager.title, 'Keyhold');
    await main.call({ op: 'tray-click', path: ['Open Keyhold'] });
    await main.call({ op: 'second-instance', argv: ['/usr/bin/keyhold'] });
    assert.equal(live(await main.state()).filter((w) => pageOf(w) === 'manager.html').length, 1);

    const state = (await main.invoke(manager.id, invokeChannel('manager', 'load'), {})) as { servers: Array<{ name: string; secrets: Array<{ name: string }> }> };
    assert.deepEqual(state.servers.map((s) => [s.name, s.secrets.map((x) => x.name)]), [['wiring', ['api_key']]]);
    // An always-allow rule is bound to a verified process: only on Linux does the app have one to offer.
    const candidates = (await main.invoke(manager.id, invokeChannel('manager', 'ruleCandidates'), { server: 'wiring', name: 'api_key' })) as Array<{ key: string }>;
    assert.equal(candidates.length > 0, runAs.platform === 'linux', 'the test client is offered exactly where it can be verified');
    if (candidates[0] !== undefined) await main.invoke(manager.id, invokeChannel('manager', 'addRule'), { server: 'wiring', name: 'api_key', candidate: candidates[0].key });
    else await main.invoke(manager.id, invokeChannel('manager', 'updateSettings'), { grantTtlMinutes: 61 });
    await waitFor('manager.changed', async () =>
      (await main.state()).windows.find((w) => w.id === manager.id)?.sent.includes(eventChannel('manager', 'changed')) === true ? true : undefined,
    );
  });

  it('Start at login registers a login item that passes --hidden (the bare Electron binary never)', async () => {
    const toggle = (): Promise<unknown> => main.call({ op: 'tray-click', path: ['Start at login'] });
    const checked = (value: boolean) =>
      waitFor(`the checkbox ${value}`, async () => ((await main.state()).tray?.menu.find((i) => i.label === 'Start at login')?.checked === value ? true : undefined));
    if (runAs.platform === 'linux') {
      const file = join(home.path, 'config', 'autostart', 'dev.keyhold.app.desktop');
      await toggle();
      const exec = /^Exec=(.+)$/m.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
      assert.ok(exec.endsWith(runAs.packaged ? ' --hidden' : ` ${desktopExecArgument(install.path)} --hidden`), exec);
      await checked(true);
      await toggle();
      assert.equal(existsSync(file), false);
      return;
    }
    if (runAs.platform === 'darwin' && !runAs.packaged) {
      const item = (await main.state()).tray?.menu.find((i) => i.label === 'Start at login (installed app only)');
      assert.deepEqual([item?.enabled, item?.clickable], [false, false], 'a macOS dev run cannot register itself: the item says so, disabled');
      await assert.rejects(main.invoke((await openWindow(main, 'manager')).id, invokeChannel('manager', 'updateSettings'), { startAtLogin: true }), /development run cannot start at login on macOS/);
      assert.deepEqual((await main.state()).app.loginItems, []);
      return;
    }
    await toggle();
    await checked(true);
    const [item] = (await main.state()).app.loginItems;
    if (runAs.platform === 'win32') assert.deepEqual(item?.args, runAs.packaged ? ['--hidden'] : [install.path, '--hidden'], 'Windows: the app path in a dev run, and --hidden');
    else assert.deepEqual(item, { openAtLogin: true }, 'macOS: the app bundle; wasOpenedAtLogin tells a login start');
    await toggle();
    await checked(false);
  });

  it('a second launch exits 0 and hands its argv to the running Keyhold, which brings its manager forward', async () => {
    const second = MainProcess.start(env(), { runAs, installDir: install.path });
    assert.equal(await second.exited, 0, second.stderr);
    assert.equal(second.stderr.includes('listening on'), false, 'the second process never started a core');
    const managers = await waitFor('the manager, focused', async () => {
      const windows = live(await main.state()).filter((w) => pageOf(w) === 'manager.html');
      return windows.some((w) => w.focused) ? windows : undefined;
    });
    assert.equal(managers.length, 1);
  });

  it('quit answers a pending request `cancelled`, removes bridge.json and exits 0; no value was ever logged', async () => {
    // (api_key is always allowed by now: ask for a new secret, which needs the entry window.)
    const requestId = client.send('secrets.request', { fields: [{ name: 'other_key', label: 'Other key', type: 'password', required: true }] });
    await client.pending(requestId);
    await openWindow(main, 'entry');
    await main.call({ op: 'quit' }).catch(() => undefined);
    const reply = await client.reply(requestId);
    assert.equal(reply.ok, false);
    assert.equal(reply.error?.code, 'cancelled');
    assert.equal(await main.exited, 0);
    assert.equal(existsSync(discovery), false, 'bridge.json removed');
    assert.equal(main.stderr.includes(SECRET), false, 'the secret value never reached the log');
  });
});

describe('built main process: keychain unavailable at start', { skip }, () => {
  it('shows the keychain error in an error box and exits 1 without a discovery file', async () => {
    const home = await makeTempDir('keyhold-main-');
    try {
      // An index that names a stored secret: the start-up reconcile must reach the keychain.
      writeFileSync(join(home.path, 'index.json'), JSON.stringify({ version: 1, servers: { github: { token: { created: 1, updated: 1 } } }, pending: [] }));
      const main = MainProcess.start({ KEYHOLD_HOME: home.path, XDG_CONFIG_HOME: join(home.path, 'config'), FAKE_KEYRING: 'unavailable' });
      const errorBox = new Promise<{ title: string; message: string }>((resolve) =>
        main.child.on('message', (m: { event?: string; title: string; message: string }) => m.event === 'error-box' && resolve(m)),
      );
      const timer = setTimeout(() => main.child.kill(), 15_000);
      assert.equal(await main.exited, 1, main.stderr);
      clearTimeout(timer);
      const box = await errorBox;
      assert.equal(box.title, 'Keyhold could not start');
      assert.match(box.message, /keychain/i);
      assert.equal(existsSync(join(home.path, 'bridge.json')), false);
    } finally {
      await home.cleanup();
    }
  });
});
