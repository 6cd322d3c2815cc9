/**
 * A fake `electron` module for running the BUILT main process (out/main/index.js)
 * on plain Node, where no Electron binary exists. It records what main does
 * (windows and their options, tray and menu, IPC handlers, session handlers,
 * notifications, error boxes) and lets the test drive it over the Node IPC
 * channel (remote-control.ts).
 *
 * It follows Electron 45's documented behaviour, never more kindly — see
 * fake-config.ts for the switches and fake-windows.ts for windows. Here:
 *
 *  - requestSingleInstanceLock: the first process on a userData directory gets
 *    the lock; a later one gets false, and the first one receives
 *    `second-instance` with the later one's argv and working directory (over a
 *    socket in userData, as Chromium's ProcessSingleton does). The later one
 *    exits 0 once it has quit.
 *  - app.setPath refuses a relative path ("Path must be absolute").
 *  - app.isPackaged and app.getAppPath come from the environment.
 *  - Login item settings: Windows keys them by path + args (getLoginItemSettings
 *    must be given the same ones); macOS reports wasOpenedAtLogin.
 *  - The application menu is Electron's default (with View → Reload) until main sets one.
 *  - A Windows session end (shutdown, logoff) emits `query-session-end` and
 *    `session-end` on windows and ends the process: no `before-quit`, no `will-quit`.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { isAbsolute, join } from 'node:path';

import { config } from './fake-config.js';
import { BrowserWindow, DEFAULT_APPLICATION_MENU, Emitter, windows, type MenuItemOptions } from './fake-windows.js';

export { BrowserWindow };

export const record = {
  app: {
    name: '',
    paths: {} as Record<string, string>,
    sandboxEnabled: false,
    singleInstanceRequested: false,
    singleInstanceLock: false,
    protocolClients: [] as string[],
    quitCalls: 0,
    stealFocus: 0,
    loginItems: [] as Array<{ openAtLogin: boolean; path?: string; args?: string[] }>,
  },
  session: { permissionRequest: false, permissionCheck: false, device: false, headerUrls: [] as string[] },
  notifications: [] as Array<{ title: string; body: string; shown: boolean; closed: boolean }>,
  errorBoxes: [] as Array<{ title: string; message: string }>,
  openedExternal: [] as string[],
  applicationMenu: DEFAULT_APPLICATION_MENU as MenuItemOptions[] | null,
};

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

// ---- app ------------------------------------------------------------------

class FakeApp extends Emitter {
  readonly isPackaged = config.isPackaged;
  private ready = false;
  private readonly loginItems = new Map<string, boolean>();
  /** A later instance telling the first one about itself: exit waits for it. */
  private notifying: Promise<void> = Promise.resolve();
  setName(name: string): void { record.app.name = name; }
  getName(): string { return record.app.name; }
  setPath(name: string, path: string): void {
    if (!isAbsolute(path)) throw new Error('Path must be absolute');
    record.app.paths[name] = path;
  }
  getPath(name: string): string {
    if (name === 'home') return process.env['HOME'] ?? '/tmp';
    return record.app.paths[name] ?? `/tmp/${name}`;
  }
  getAppPath(): string { return config.appPath; }
  getVersion(): string { return '0.0.0-fake'; }
  setAppUserModelId(): void {}
  enableSandbox(): void { record.app.sandboxEnabled = true; }
  focus(options?: { steal?: boolean }): void {
    if (options?.steal === true) record.app.stealFocus++;
  }
  requestSingleInstanceLock(): boolean {
    record.app.singleInstanceRequested = true;
    const dir = this.getPath('userData');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const lock = join(dir, 'fake-SingletonLock');
    const socket = join(dir, 'fake-SingletonSocket');
    let holder: number | undefined;
    try {
      holder = Number(readFileSync(lock, 'utf8'));
    } catch {
      holder = undefined;
    }
    if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
      const message = JSON.stringify({ argv: process.argv, cwd: process.cwd() });
      this.notifying = new Promise<void>((resolve) => {
        const client = createConnection(socket, () => client.end(message));
        client.on('close', () => resolve());
        client.on('error', () => resolve());
      });
      return false;
    }
    writeFileSync(lock, String(process.pid));
    rmSync(socket, { force: true });
    const server = createServer((connection) => {
      let text = '';
      connection.on('data', (chunk: Buffer) => (text += chunk.toString()));
      connection.on('end', () => {
        const { argv, cwd } = JSON.parse(text) as { argv: string[]; cwd: string };
        this.emit('second-instance', { preventDefault: () => undefined }, argv, cwd, {});
        // For the test: main has handled it (the listeners ran synchronously).
        process.stderr.write('[fake-electron] second-instance handled\n');
      });
    });
    server.listen(socket);
    server.unref();
    process.on('exit', () => {
      rmSync(lock, { force: true });
      rmSync(socket, { force: true });
    });
    record.app.singleInstanceLock = true;
    return true;
  }
  setAsDefaultProtocolClient(protocol: string): boolean {
    record.app.protocolClients.push(protocol);
    return true;
  }
  getLoginItemSettings(options?: { path?: string; args?: string[] }): { openAtLogin: boolean; wasOpenedAtLogin?: boolean } {
    const openAtLogin = this.loginItems.get(this.loginKey(options)) ?? false;
    return config.platform === 'darwin' ? { openAtLogin, wasOpenedAtLogin: config.openedAtLogin } : { openAtLogin };
  }
  setLoginItemSettings(settings: { openAtLogin: boolean; path?: string; args?: string[] }): void {
    record.app.loginItems.push(settings);
    this.loginItems.set(this.loginKey(settings), settings.openAtLogin);
  }
  private loginKey(options?: { path?: string; args?: string[] }): string {
    // Only Windows stores a command line; macOS registers the app bundle.
    return config.platform === 'win32' ? JSON.stringify([options?.path ?? process.execPath, options?.args ?? []]) : 'bundle';
  }
  whenReady(): Promise<void> {
    return new Promise((resolve) =>
      setImmediate(() => {
        this.ready = true;
        resolve();
      }),
    );
  }
  isReady(): boolean { return this.ready; }
  quit(): void {
    record.app.quitCalls++;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    for (const w of windows.values()) if (!w.isDestroyed()) w.destroy();
    this.emit('will-quit', { preventDefault: () => undefined });
    void this.notifying.then(() => setImmediate(() => process.exit(0)));
  }
  exit(code = 0): void { process.exit(code); }
  /** Windows shutdown/logoff: windows hear about it, the app does not (no before-quit), and the process ends. */
  endSession(): void {
    for (const w of windows.values()) {
      if (w.isDestroyed()) continue;
      w.emit('query-session-end', { preventDefault: () => undefined, reasons: ['shutdown'] });
      w.emit('session-end', { reasons: ['shutdown'] });
    }
    process.exit(0);
  }
}

export const app = new FakeApp();

export const dialog = {
  // Allowed before `ready`, as Electron documents for showErrorBox.
  showErrorBox(title: string, message: string): void {
    record.errorBoxes.push({ title, message });
    process.send?.({ event: 'error-box', title, message });
  },
};

export const shell = {
  async openExternal(url: string): Promise<void> {
    record.openedExternal.push(url);
  },
};

// ---- session, ipcMain, notifications, tray, menu -------------------------------

export const session = {
  defaultSession: {
    setPermissionRequestHandler: () => (record.session.permissionRequest = true),
    setPermissionCheckHandler: () => (record.session.permissionCheck = true),
    setDevicePermissionHandler: () => (record.session.device = true),
    webRequest: { onHeadersReceived: (filter: { urls: string[] }) => (record.session.headerUrls = filter.urls) },
  },
};

export const ipcHandlers = new Map<string, (...args: unknown[]) => unknown>();
export const ipcMain = {
  handle(channel: string, listener: (...args: unknown[]) => unknown): void {
    if (ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    ipcHandlers.set(channel, listener);
  },
  removeHandler(channel: string): void {
    ipcHandlers.delete(channel);
  },
};

export const notifications: Notification[] = [];
export class Notification extends Emitter {
  private readonly entry: { title: string; body: string; shown: boolean; closed: boolean };
  constructor(options: { title: string; body: string }) {
    super();
    this.entry = { title: options.title, body: options.body, shown: false, closed: false };
    record.notifications.push(this.entry);
    notifications.push(this);
  }
  static isSupported(): boolean { return true; }
  show(): void { this.entry.shown = true; }
  close(): void { this.entry.closed = true; }
}

export const Menu = {
  buildFromTemplate: (template: MenuItemOptions[]) => ({ template }),
  setApplicationMenu: (menu: { template: MenuItemOptions[] } | null) => {
    record.applicationMenu = menu === null ? null : menu.template;
  },
};

export const nativeImage = { createFromPath: (path: string) => ({ path }) };

export const trays: Tray[] = [];
export class Tray extends Emitter {
  tooltip = '';
  menu: { template: MenuItemOptions[] } | undefined;
  menuBuilds = 0;
  destroyed = false;
  constructor(readonly image: { path: string }) {
    super();
    trays.push(this);
  }
  setToolTip(tooltip: string): void { this.tooltip = tooltip; }
  setContextMenu(menu: { template: MenuItemOptions[] }): void {
    this.menu = menu;
    this.menuBuilds++;
  }
  destroy(): void { this.destroyed = true; }
  isDestroyed(): boolean { return this.destroyed; }
}

