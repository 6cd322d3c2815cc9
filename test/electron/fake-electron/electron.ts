/**
 * A fake `electron` module for running the BUILT main process (out/main/index.js)
 * on plain Node, where no Electron binary exists. It records what main does
 * (windows and their options, tray and menu, IPC handlers, session handlers,
 * notifications, error boxes) and lets the test drive it over the Node IPC
 * channel: invoke an IPC channel as a given window/frame, close a window as
 * the user would, click a tray menu item, start a second instance, quit.
 *
 * It models only what Keyhold uses, and only as far as the wiring needs: it
 * proves main.ts and app-runtime.ts connect core, windows, IPC and tray
 * correctly. Real Chromium behaviour (sandbox, CSP, navigation) is the
 * smoke test's job, where an Electron binary exists.
 */
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Listener = (...args: unknown[]) => unknown;

interface Frame {
  url: string;
  parent: Frame | null;
  processId: number;
  routingId: number;
}

const record = {
  app: { name: '', paths: {} as Record<string, string>, sandboxEnabled: false, singleInstanceRequested: false, protocolClients: [] as string[], quitCalls: 0 },
  session: { permissionRequest: false, permissionCheck: false, device: false, headerUrls: [] as string[] },
  notifications: [] as Array<{ title: string; body: string; shown: boolean; closed: boolean }>,
  errorBoxes: [] as Array<{ title: string; message: string }>,
  openedExternal: [] as string[],
};

class Emitter extends EventEmitter {
  override eventNames(): string[] { return super.eventNames().map(String); }
}

// ---- app ------------------------------------------------------------------

class FakeApp extends Emitter {
  readonly isPackaged = false;
  private ready = false;
  private loginItem = false;
  setName(name: string): void { record.app.name = name; }
  getName(): string { return record.app.name; }
  setPath(name: string, path: string): void { record.app.paths[name] = path; }
  getPath(name: string): string {
    if (name === 'home') return process.env['HOME'] ?? '/tmp';
    return record.app.paths[name] ?? `/tmp/${name}`;
  }
  getAppPath(): string { return process.cwd(); }
  getVersion(): string { return '0.0.0-fake'; }
  setAppUserModelId(): void {}
  enableSandbox(): void { record.app.sandboxEnabled = true; }
  requestSingleInstanceLock(): boolean {
    record.app.singleInstanceRequested = true;
    return true;
  }
  setAsDefaultProtocolClient(protocol: string): boolean {
    record.app.protocolClients.push(protocol);
    return true;
  }
  getLoginItemSettings(): { openAtLogin: boolean } {
    return { openAtLogin: this.loginItem };
  }
  setLoginItemSettings(settings: { openAtLogin: boolean }): void {
    this.loginItem = settings.openAtLogin;
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
    setImmediate(() => process.exit(0));
  }
  exit(code = 0): void { process.exit(code); }
}

export const app = new FakeApp();

export const dialog = {
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

// ---- windows ----------------------------------------------------------------

let nextId = 1;
const windows = new Map<number, BrowserWindow>();

class FakeWebContents extends Emitter {
  readonly id = nextId++;
  readonly mainFrame: Frame = { url: 'about:blank', parent: null, processId: 1, routingId: this.id };
  readonly sent: string[] = [];
  openHandler: ((details: { url: string }) => { action: string }) | undefined;
  destroyed = false;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.openHandler = handler;
  }
  send(channel: string): void { this.sent.push(channel); }
  isDestroyed(): boolean { return this.destroyed; }
  getURL(): string { return this.mainFrame.url; }
}

export class BrowserWindow extends Emitter {
  readonly webContents = new FakeWebContents();
  readonly options: Record<string, unknown>;
  contentProtection = false;
  menuRemoved = false;
  loaded: { file?: string; url?: string } = {};
  visible = false;
  destroyed = false;
  minimized = false;
  title: string;

  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    this.title = typeof options['title'] === 'string' ? options['title'] : '';
    windows.set(this.webContents.id, this);
  }
  static getFocusedWindow(): BrowserWindow | null { return focusedId === undefined ? null : (windows.get(focusedId) ?? null); }
  static getAllWindows(): BrowserWindow[] { return [...windows.values()].filter((w) => !w.destroyed); }
  setContentProtection(enable: boolean): void { this.contentProtection = enable; }
  removeMenu(): void { this.menuRemoved = true; }
  async loadFile(path: string, options?: { hash?: string }): Promise<void> {
    this.loaded = { file: path };
    const url = new URL(pathToFileURL(path).href);
    if (options?.hash !== undefined) url.hash = options.hash;
    this.webContents.mainFrame.url = url.href;
    setImmediate(() => this.emit('ready-to-show'));
  }
  async loadURL(url: string): Promise<void> {
    this.loaded = { url };
    this.webContents.mainFrame.url = url;
    setImmediate(() => this.emit('ready-to-show'));
  }
  getTitle(): string { return this.title; }
  setTitle(title: string): void { this.title = title; }
  show(): void {
    this.visible = true;
    focusedId = this.webContents.id;
  }
  focus(): void { focusedId = this.webContents.id; }
  restore(): void { this.minimized = false; }
  close(): void {
    if (this.destroyed) return;
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroyed = true;
    if (focusedId === this.webContents.id) focusedId = undefined;
    this.emit('closed');
  }
  isDestroyed(): boolean { return this.destroyed; }
  isMinimized(): boolean { return this.minimized; }
  isVisible(): boolean { return this.visible; }
  isFocused(): boolean { return focusedId === this.webContents.id; }
}

let focusedId: number | undefined;

// ---- session, ipcMain, notifications, tray, menu -------------------------------

export const session = {
  defaultSession: {
    setPermissionRequestHandler: () => (record.session.permissionRequest = true),
    setPermissionCheckHandler: () => (record.session.permissionCheck = true),
    setDevicePermissionHandler: () => (record.session.device = true),
    webRequest: { onHeadersReceived: (filter: { urls: string[] }) => (record.session.headerUrls = filter.urls) },
  },
};

const ipcHandlers = new Map<string, Listener>();
export const ipcMain = {
  handle(channel: string, listener: Listener): void {
    if (ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    ipcHandlers.set(channel, listener);
  },
  removeHandler(channel: string): void {
    ipcHandlers.delete(channel);
  },
};

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
const notifications: Notification[] = [];

interface MenuItemOptions {
  label?: string;
  type?: string;
  enabled?: boolean;
  checked?: boolean;
  submenu?: MenuItemOptions[];
  click?: () => void;
}

export const Menu = {
  buildFromTemplate: (template: MenuItemOptions[]) => ({ template }),
  setApplicationMenu: () => undefined,
};

export const nativeImage = { createFromPath: (path: string) => ({ path }) };

const trays: Tray[] = [];
export class Tray extends Emitter {
  tooltip = '';
  menu: { template: MenuItemOptions[] } | undefined;
  destroyed = false;
  constructor(readonly image: { path: string }) {
    super();
    trays.push(this);
  }
  setToolTip(tooltip: string): void { this.tooltip = tooltip; }
  setContextMenu(menu: { template: MenuItemOptions[] }): void {
    this.menu = menu;
  }
  destroy(): void { this.destroyed = true; }
  isDestroyed(): boolean { return this.destroyed; }
}

// ---- the test's remote control ----------------------------------------------

function plainMenu(items: MenuItemOptions[]): Json {
  return items.map((i) => ({
    label: i.label ?? null,
    type: i.type ?? 'normal',
    enabled: i.enabled ?? true,
    checked: i.checked ?? false,
    clickable: typeof i.click === 'function',
    submenu: i.submenu === undefined ? null : plainMenu(i.submenu),
  }));
}

function trayState(): Json {
  const tray = trays.at(-1);
  return tray === undefined ? null : { image: tray.image.path, tooltip: tray.tooltip, destroyed: tray.destroyed, menu: plainMenu(tray.menu?.template ?? []) };
}

function state(): Json {
  return JSON.parse(
    JSON.stringify({
      ...record,
      windows: [...windows.values()].map((w) => ({
        id: w.webContents.id,
        title: w.title,
        options: w.options,
        loaded: w.loaded,
        url: w.webContents.mainFrame.url,
        contentProtection: w.contentProtection,
        menuRemoved: w.menuRemoved,
        visible: w.visible,
        focused: w.isFocused(),
        destroyed: w.destroyed,
        sent: w.webContents.sent,
        contentsEvents: w.webContents.eventNames(),
        windowEvents: w.eventNames(),
        denyWindowOpen: w.webContents.openHandler?.({ url: 'https://example.com/' }).action === 'deny',
      })),
      tray: trayState(),
      ipcChannels: [...ipcHandlers.keys()].sort(),
      appEvents: app.eventNames(),
    }),
  ) as Json;
}

function findItem(items: MenuItemOptions[], path: string[]): MenuItemOptions {
  const [first, ...rest] = path;
  const item = items.find((i) => i.label === first);
  if (item === undefined) throw new Error(`no tray menu item "${first}"`);
  return rest.length === 0 ? item : findItem(item.submenu ?? [], rest);
}

type Command =
  | { op: 'state' }
  | { op: 'invoke'; windowId: number; channel: string; args: unknown[]; frame?: 'main' | 'sub' | { url: string } | 'gone' }
  | { op: 'close-window'; windowId: number }
  | { op: 'tray-click'; path: string[] }
  | { op: 'notification-click'; index: number }
  | { op: 'second-instance'; argv: string[] }
  | { op: 'quit' };

async function run(command: Command): Promise<unknown> {
  switch (command.op) {
    case 'state':
      return state();
    case 'invoke': {
      const w = windows.get(command.windowId);
      const handler = ipcHandlers.get(command.channel);
      if (w === undefined || handler === undefined) throw new Error(`no window ${command.windowId} or no handler for ${command.channel}`);
      const main = w.webContents.mainFrame;
      const frame = command.frame ?? 'main';
      const senderFrame =
        frame === 'main' ? main : frame === 'sub' ? { url: main.url, parent: main, processId: 1, routingId: 9999 } : frame === 'gone' ? null : { ...main, url: frame.url };
      const sender = frame !== 'main' && frame !== 'sub' && frame !== 'gone' ? { id: w.webContents.id, mainFrame: senderFrame } : w.webContents;
      return handler({ sender, senderFrame }, ...command.args);
    }
    case 'close-window':
      windows.get(command.windowId)?.close();
      return null;
    case 'tray-click': {
      const item = findItem(trays.at(-1)?.menu?.template ?? [], command.path);
      item.click?.();
      return null;
    }
    case 'notification-click':
      notifications[command.index]?.emit('click');
      return null;
    case 'second-instance':
      app.emit('second-instance', { preventDefault: () => undefined }, command.argv, process.cwd(), {});
      return null;
    case 'quit':
      app.quit();
      return null;
  }
}

process.on('message', (message: { seq: number } & Command) => {
  run(message).then(
    (value) => process.send?.({ seq: message.seq, ok: true, value: value ?? null }),
    (error: unknown) => process.send?.({ seq: message.seq, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
