/**
 * BrowserWindow and its webContents, as far as Keyhold uses them, following
 * Electron 45's documented behaviour where it matters to main:
 *
 *  - loadFile(path, { hash }) builds its URL the way Electron's
 *    lib/browser/api/web-contents.ts does — `url.format({ protocol: 'file',
 *    slashes: true, pathname: path.resolve(app.getAppPath(), path), hash })`,
 *    which escapes only `?` and `#` — and the frame then shows Chromium's
 *    canonical form of it (spaces and non-ASCII percent-encoded, `%` left as it
 *    is, escaped unreserved characters decoded). It does NOT use pathToFileURL.
 *  - `ready-to-show` fires after the page loads, unless FAKE_ELECTRON_READY=never.
 *  - show() and focus() take keyboard focus, unless FAKE_ELECTRON_FOCUS=refused
 *    (then the window shows without focus, as behind Windows' foreground lock).
 *  - An accelerator reaches the application menu: on macOS always, elsewhere only
 *    while the window still has its menu bar. A menu item with the reload role
 *    reloads the page (the page's state, and any event it received, is gone).
 */
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { format } from 'node:url';

import { config } from './fake-config.js';

export interface Frame {
  url: string;
  parent: Frame | null;
  processId: number;
  routingId: number;
}

export class Emitter extends EventEmitter {
  override eventNames(): string[] {
    return super.eventNames().map(String);
  }
}

let nextId = 1;
export const windows = new Map<number, BrowserWindow>();
let focusedId: number | undefined;

/** Chromium's canonical form of a file URL, approximated by the WHATWG parser plus Chromium's decoding of escaped unreserved characters. */
export function chromiumCanonical(raw: string): string {
  const href = new URL(raw).href;
  return href.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : escape;
  });
}

export function electronLoadFileUrl(filePath: string, hash: string | undefined, appPath: string): string {
  return chromiumCanonical(format({ protocol: 'file', slashes: true, pathname: resolve(appPath, filePath), ...(hash === undefined ? {} : { hash }) }));
}

class FakeWebContents extends Emitter {
  readonly id = nextId++;
  readonly mainFrame: Frame = { url: 'about:blank', parent: null, processId: 1, routingId: this.id };
  /** Events the current page received (a reload starts a new page: empty again). */
  sent: string[] = [];
  reloads = 0;
  openHandler: ((details: { url: string }) => { action: string }) | undefined;
  destroyed = false;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.openHandler = handler;
  }
  send(channel: string): void {
    this.sent.push(channel);
  }
  reload(): void {
    this.reloads++;
    this.sent = [];
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getURL(): string {
    return this.mainFrame.url;
  }
}

export interface MenuItemOptions {
  label?: string;
  role?: string;
  type?: string;
  enabled?: boolean;
  checked?: boolean;
  submenu?: MenuItemOptions[];
  click?: () => void;
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
  flashing = false;
  contentSize: [number, number];
  title: string;

  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    this.title = typeof options['title'] === 'string' ? options['title'] : '';
    this.contentSize = [Number(options['width'] ?? 800), Number(options['height'] ?? 600)];
    windows.set(this.webContents.id, this);
  }
  static getFocusedWindow(): BrowserWindow | null {
    return focusedId === undefined ? null : (windows.get(focusedId) ?? null);
  }
  static getAllWindows(): BrowserWindow[] {
    return [...windows.values()].filter((w) => !w.destroyed);
  }
  setContentProtection(enable: boolean): void {
    this.contentProtection = enable;
  }
  removeMenu(): void {
    this.menuRemoved = true;
  }
  async loadFile(path: string, options?: { hash?: string }): Promise<void> {
    this.loaded = { file: path };
    this.webContents.mainFrame.url = electronLoadFileUrl(path, options?.hash, config.appPath);
    this.loadedPage();
  }
  async loadURL(url: string): Promise<void> {
    this.loaded = { url };
    this.webContents.mainFrame.url = chromiumCanonical(url);
    this.loadedPage();
  }
  private loadedPage(): void {
    if (!config.neverReady) setImmediate(() => this.emit('ready-to-show'));
  }
  getTitle(): string {
    return this.title;
  }
  setTitle(title: string): void {
    this.title = title;
  }
  setContentSize(width: number, height: number): void {
    this.contentSize = [Math.round(width), Math.round(height)];
  }
  getContentSize(): [number, number] {
    return [...this.contentSize];
  }
  show(): void {
    this.visible = true;
    this.takeFocus();
  }
  focus(): void {
    this.takeFocus();
  }
  private takeFocus(): void {
    if (config.focusRefused || this.destroyed) return;
    const before = focusedId;
    focusedId = this.webContents.id;
    if (before !== focusedId) {
      if (before !== undefined) windows.get(before)?.emit('blur');
      this.emit('focus');
    }
  }
  flashFrame(flag: boolean): void {
    this.flashing = flag;
  }
  restore(): void {
    this.minimized = false;
  }
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
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isFocused(): boolean {
    return focusedId === this.webContents.id;
  }
}

/** Electron's default application menu (lib/browser/default-menu.ts) has View → Reload / Force Reload / Toggle DevTools. */
export const DEFAULT_APPLICATION_MENU: MenuItemOptions[] = [{ role: 'appMenu' }, { role: 'fileMenu' }, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' }];

/** Roles whose items reload the focused page (viewMenu contains reload and forceReload). */
const RELOADING_ROLES = new Set(['reload', 'forcereload', 'viewmenu']);

function reloads(menu: readonly MenuItemOptions[]): boolean {
  return menu.some((item) => RELOADING_ROLES.has((item.role ?? '').toLowerCase()) || reloads(item.submenu ?? []));
}

/** Presses CmdOrCtrl+R in `win`: which menu receives it, and whether the page reloads. */
export function pressReload(win: BrowserWindow, applicationMenu: readonly MenuItemOptions[] | null): boolean {
  const menu = config.platform === 'darwin' || !win.menuRemoved ? applicationMenu : null;
  if (menu === null || !reloads(menu)) return false;
  win.webContents.reload();
  return true;
}
