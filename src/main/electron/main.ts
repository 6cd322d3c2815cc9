/**
 * Electron entry point: the app's lifecycle around the runtime
 * (app-runtime.ts assembles core, windows, IPC and tray).
 *
 *  - One instance per data directory (Electron's single-instance lock lives
 *    in userData, which is the Keyhold data directory). A second launch
 *    focuses the request its `keyhold://request/<id>` argument names, or
 *    opens the manager.
 *  - `keyhold://request/<id>` (macOS `open-url`, argv elsewhere) focuses that
 *    prompt's window. Links only focus; they never answer.
 *  - A tray app: closing every window does not quit. But a launch by the user
 *    opens the manager (the tray icon may be hidden: vanilla GNOME, Windows
 *    11); a login-item launch (`--hidden`, macOS `wasOpenedAtLogin`) stays
 *    quiet. See launch-mode.ts.
 *  - macOS gets a minimal application menu without Reload (Cmd+R would blank
 *    a pre-loaded prompt window); elsewhere there is none.
 *  - Quit: pending requests are answered `cancelled` and the core stops
 *    (bridge.json removed) before the process exits.
 *  - Startup errors (another Keyhold on this data dir, keychain unavailable, a
 *    relative KEYHOLD_HOME, a data directory another user could write in —
 *    data-dir-guard.ts) are shown in an error box, then the app exits 1. The
 *    data directory is created 0700 and checked before Electron writes its
 *    single-instance lock into it.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

import { app, dialog, Menu } from 'electron';

import { ENV_HOME } from '../../shared/bridge-protocol.js';
import { resolveDataDir } from '../../shared/data-dir.js';
import { privateDataDirProblem } from '../core/data-dir-guard.js';
import { startRuntime, type KeyholdRuntime } from './app-runtime.js';
import { registerAppImageLinks, type AppImageLinkDeps } from './appimage-links.js';
import { PROTOCOL_SCHEME, promptIdFromArgv, promptIdFromLink } from './deep-link.js';
import { applicationMenuTemplate, dataDirProblem, HIDDEN_FLAG, startsHidden } from './launch-mode.js';
import { guardEveryWebContents } from './session-hardening.js';

const APP_ID = 'dev.keyhold.app';
/** How long quitting waits for the core to answer and close before exiting anyway. */
const STOP_TIMEOUT_MS = 5_000;

const log = (message: string): void => {
  process.stderr.write(`[keyhold] ${message}\n`);
};

let runtime: KeyholdRuntime | undefined;
let starting: Promise<KeyholdRuntime | undefined> | undefined;
/** A link that arrived before the runtime was ready. */
let pendingPromptId: string | undefined;

// Before ready: one data directory for Keyhold and Electron (userData), with
// Chromium's own files (caches, local storage) in a subfolder of it.
const dataDir = resolveDataDir();
const badDataDir = dataDirProblem(dataDir, (process.env[ENV_HOME] ?? '').trim() !== '') ?? privateDataDirProblem(dataDir);
if (badDataDir !== undefined) {
  log(`could not start: ${badDataDir}`);
  // showErrorBox may be called before ready; nothing else has started yet.
  dialog.showErrorBox('Keyhold could not start', badDataDir);
  app.exit(1);
} else {
  run();
}

function focusRequest(promptId: string | undefined): void {
  if (runtime === undefined) {
    pendingPromptId = promptId;
    return;
  }
  if (promptId === undefined || !runtime.focusPrompt(promptId)) runtime.openManager();
}

/** Everything after the data directory check: paths, the single-instance lock, lifecycle events. */
function run(): void {
  app.setName('Keyhold');
  app.setPath('userData', dataDir);
  app.setPath('sessionData', join(dataDir, 'Chromium'));
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  app.enableSandbox();

  // macOS delivers links with open-url, possibly before ready: listen first.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    const promptId = promptIdFromLink(url);
    if (promptId === undefined) log('ignored a keyhold:// link that names no request');
    focusRequest(promptId);
  });

  if (!app.requestSingleInstanceLock()) {
    // The running instance gets our argv through `second-instance`.
    app.quit();
  } else {
    app.on('second-instance', (_event, argv) => {
      const promptId = promptIdFromArgv(argv);
      // A login item starting while Keyhold already runs: nothing to show.
      if (promptId === undefined && argv.includes(HIDDEN_FLAG)) return;
      focusRequest(promptId);
    });
    // A tray app: the last window closing is not a reason to quit.
    app.on('window-all-closed', () => undefined);
    app.on('activate', () => runtime?.openManager());
    guardEveryWebContents(app, log);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

    starting = app.whenReady().then(start);
    let stopped = false;
    app.on('before-quit', (event) => {
      if (stopped || starting === undefined) return;
      event.preventDefault();
      const ready = starting;
      starting = undefined;
      void ready
        .then((current) => (current === undefined ? undefined : withTimeout(current.stop(), STOP_TIMEOUT_MS)))
        .catch((error: unknown) => log(`stopping failed: ${messageOf(error)}`))
        .finally(() => {
          stopped = true;
          runtime = undefined;
          app.quit();
        });
    });
  }
}

async function start(): Promise<KeyholdRuntime | undefined> {
  // Packaged builds register keyhold:// (the installers declare it too). A dev
  // run does not: it would point the desktop's handler at a dev checkout.
  if (!app.isPackaged) log('development run: keyhold:// links are not registered with the desktop');
  else if (process.platform === 'linux' && process.env['APPIMAGE'] !== undefined) void registerAppImageLinks(appImageLinkDeps(process.env['APPIMAGE']));
  else app.setAsDefaultProtocolClient(PROTOCOL_SCHEME);
  Menu.setApplicationMenu(applicationMenuTemplateOrNull());
  try {
    runtime = await startRuntime({ dataDir, log, quit: () => app.quit() });
  } catch (error) {
    const message = messageOf(error);
    log(`could not start: ${message}`);
    dialog.showErrorBox('Keyhold could not start', message);
    app.exit(1);
    return undefined;
  }
  log(`listening on ${runtime.core.url}; data in ${dataDir}`);
  const launchedFor = pendingPromptId ?? promptIdFromArgv(process.argv);
  pendingPromptId = undefined;
  if (launchedFor !== undefined) focusRequest(launchedFor);
  else if (startsHidden(process.argv, process.platform, () => app.getLoginItemSettings().wasOpenedAtLogin === true)) log('started at login: in the tray, no window');
  else runtime.openManager();
  return runtime;
}

function appImageLinkDeps(appImage: string): AppImageLinkDeps {
  const xdgData = process.env['XDG_DATA_HOME'];
  const dataHome = xdgData !== undefined && xdgData.startsWith('/') ? xdgData : join(app.getPath('home'), '.local', 'share');
  const run = (file: string, args: readonly string[]): Promise<void> =>
    new Promise((resolve, reject) => execFile(file, [...args], { timeout: 10_000 }, (error) => (error === null ? resolve() : reject(error))));
  return { appImage, dataHome, run, log };
}

function applicationMenuTemplateOrNull(): Menu | null {
  const template = applicationMenuTemplate(process.platform);
  return template === null ? null : Menu.buildFromTemplate(template);
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  return Promise.race([work, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
