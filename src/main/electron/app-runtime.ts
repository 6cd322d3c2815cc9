/**
 * Assembles the running app once Electron is ready: the core (with the
 * PromptBoard as its prompter), the window factory and registry, the IPC
 * router, the window host, notifications, the manager window and the tray.
 * main.ts owns the lifecycle around it (single instance, links, quit).
 *
 * Everything policy-shaped lives in the core and in the small injected
 * modules next to this one; this file only wires them to Electron.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { BrowserWindow, Menu, Notification, Tray, app, nativeImage, session, shell } from 'electron';

import { packagedCommandInstaller } from '../command-install/system-calls.js';
import { startCore, type KeyholdCore } from '../core/keyhold-core.js';
import { PromptBoard } from '../core/prompt-board.js';
import { TRAY } from '../core/secret-changes.js';
import { createUiHandlers, isAllowedLink, UiRequestRejected } from '../core/ui-handlers.js';
import { EXTERNAL_LINK_ALLOWLIST_DEFAULT } from '../../shared/ipc-contract.js';
import { ElectronWindowHost } from './electron-window-host.js';
import { createIpcRouter, electronIpcMain } from './ipc-router.js';
import { electronLoginItem, linuxLoginCommand, xdgAutostartLoginItem, type ElectronLaunch, type LoginItem } from './login-item.js';
import { ManagerWindowController } from './manager-window.js';
import { PromptNotifier } from './prompt-notifier.js';
import { createRendererPages, trustedDevServerUrl } from './renderer-pages.js';
import { hardenSession } from './session-hardening.js';
import { KeyholdTray, trayIconFile } from './tray.js';
import { trayStateFrom, type TrayAction } from './tray-menu.js';
import { createKeyholdWindow, createWarmPromptWindow, type WindowFactoryDeps } from './window-factory.js';
import { WindowRegistry } from './window-registry.js';

/** out/main (this bundle), out/, and the app root (the repo, or app.asar when packaged). */
const mainDir = dirname(fileURLToPath(import.meta.url));
const outDir = join(mainDir, '..');
const appRoot = join(outDir, '..');

export interface KeyholdRuntime {
  readonly core: KeyholdCore;
  /** Brings a prompt's window forward; false when no such prompt is open. */
  focusPrompt(promptId: string): boolean;
  openManager(): void;
  /** Cancels pending requests (their windows close), stops the core, removes the tray. */
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  readonly dataDir: string;
  readonly log: (message: string) => void;
  readonly quit: () => void;
}

export async function startRuntime(options: RuntimeOptions): Promise<KeyholdRuntime> {
  const { log } = options;
  const devServerUrl = trustedDevServerUrl(process.env['ELECTRON_RENDERER_URL'], app.isPackaged);
  const pages = createRendererPages({ outDir, ...(devServerUrl === undefined ? {} : { devServerUrl }) });
  hardenSession(session.defaultSession, log);

  const board = new PromptBoard();
  const core = await startCore({ dataDir: options.dataDir, prompter: board, appVersion: app.getVersion(), log });
  try {
    return await assemble(core, board, { ...options, pages, development: devServerUrl !== undefined });
  } catch (error) {
    await core.stop();
    throw error;
  }
}

async function assemble(
  core: KeyholdCore,
  board: PromptBoard,
  options: RuntimeOptions & Pick<WindowFactoryDeps, 'pages' | 'development'>,
): Promise<KeyholdRuntime> {
  const { log } = options;
  const registry = new WindowRegistry();
  // macOS raises a window of an inactive app only once the app is activated.
  const focusApp = process.platform === 'darwin' ? () => app.focus({ steal: true }) : undefined;
  const factory: WindowFactoryDeps = { BrowserWindow, pages: options.pages, registry, development: options.development, log, ...(focusApp === undefined ? {} : { focusApp }) };
  const loginItem = platformLoginItem();
  const linkAllowlist = EXTERNAL_LINK_ALLOWLIST_DEFAULT;
  const handlers = createUiHandlers({
    core,
    board,
    loginItem,
    linkAllowlist,
    // Settings → "Install the keyhold command": the launcher ships with the packaged app only.
    ...(app.isPackaged ? { commandInstaller: packagedCommandInstaller(process.resourcesPath, app.getPath('home')) } : {}),
    // ui-handlers already allowed the link; checked again here, next to the call that opens it.
    openExternal: async (url) => {
      if (!isAllowedLink(url, linkAllowlist)) throw new UiRequestRejected('This link is not on the list Keyhold opens.');
      await shell.openExternal(url);
    },
  });
  const router = createIpcRouter({ ipcMain: await electronIpcMain(), registry, handlers, isOwnPage: options.pages.isOwnPage, log });

  const notifier = new PromptNotifier({
    isSupported: () => Notification.isSupported(),
    appHasFocus: () => BrowserWindow.getFocusedWindow() !== null,
    createNotification: (text) => new Notification(text),
    focusPrompt: (promptId) => board.focus(promptId),
    log,
  });
  board.attach(
    new ElectronWindowHost({
      openWindow: (context, server) => createKeyholdWindow(context, factory, server),
      // One hidden pre-loaded window per prompt kind once that kind was used (see ElectronWindowHost).
      warmWindow: (kind) => createWarmPromptWindow(kind, factory),
      windowClosed: (promptId) => board.windowClosed(promptId),
      promptOpening: (prompt) => notifier.promptOpening(prompt),
      promptGone: (promptId) => notifier.promptGone(promptId),
      ...(focusApp === undefined ? {} : { focusApp }),
    }),
  );
  const manager = new ManagerWindowController((context) => createKeyholdWindow(context, factory), focusApp);

  const subscribe = (listener: () => void): (() => void) => {
    const offs = [board.onChange(listener), core.changes.onChange(listener)];
    return () => offs.forEach((off) => off());
  };
  const stopManagerEvents = subscribe(coalesce(() => router.sendEvent('manager', 'changed')));

  const onAction = (action: TrayAction): void => {
    switch (action.type) {
      case 'focus-prompt':
        return board.focus(action.promptId);
      case 'revoke-grant':
        return void core.changes.revokeGrant(action.grantId, TRAY);
      case 'revoke-all':
        return void core.changes.revokeAll(TRAY);
      case 'open-manager':
        return manager.open();
      case 'toggle-login':
        // The tray shows the item disabled when unavailable; this only guards a stale menu.
        if (loginItem.unavailableReason === undefined) loginItem.set(!loginItem.get());
        tray.refresh();
        return router.sendEvent('manager', 'changed');
      case 'quit':
        return options.quit();
    }
  };
  const tray = new KeyholdTray({
    createTray: () => new Tray(nativeImage.createFromPath(join(appRoot, 'build', trayIconFile(process.platform)))),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    state: () => trayStateFrom(core, board, loginItem),
    subscribe,
    onAction,
    leftClickActs: process.platform !== 'darwin',
  });
  // Read by the Electron smoke test (main-process only; renderers are sandboxed and cannot reach it).
  Object.defineProperty(globalThis, Symbol.for('keyhold.tray'), { value: tray.icon, configurable: true });

  return {
    core,
    focusPrompt: (linkId) => {
      const prompt = board.findByLinkId(linkId);
      if (prompt === undefined) return false;
      board.focus(prompt.id);
      return true;
    },
    openManager: () => manager.open(),
    stop: async () => {
      stopManagerEvents();
      tray.dispose();
      await core.stop();
    },
  };
}

function platformLoginItem(): LoginItem {
  const launch: ElectronLaunch = { platform: process.platform, isPackaged: app.isPackaged, execPath: process.execPath, appPath: app.getAppPath() };
  if (process.platform !== 'linux') return electronLoginItem(app, launch);
  const xdg = process.env['XDG_CONFIG_HOME'];
  const configHome = xdg !== undefined && xdg.startsWith('/') ? xdg : join(app.getPath('home'), '.config');
  return xdgAutostartLoginItem(join(configHome, 'autostart'), linuxLoginCommand(launch, process.env['APPIMAGE']));
}

/** Runs `fn` once per tick however many changes arrive in it. */
function coalesce(fn: () => void): () => void {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      fn();
    });
  };
}
