/**
 * Every Keyhold window is made here, with the same locked-down settings:
 * sandboxed, context-isolated renderer with its own narrow preload, no Node,
 * no webviews, no new windows, no navigation away from its own page, no
 * permissions, content protection (the windows show verification codes and
 * secrets), DevTools only in development.
 *
 * The window is registered (webContents id → WindowContext) before its page
 * loads, so the IPC router knows who is calling from the first message on.
 *
 * A prompt window can also be made "warm": loaded hidden before there is a
 * prompt for it (page hash `#warm`, registered for no prompt), and assigned
 * one later — the page then only has to load the view and paint it.
 *
 * BrowserWindow is injected: the factory runs against a fake class in unit
 * tests, without Electron.
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

import type { PromptWindowContext, WindowContext } from '../core/ui-handlers.js';
import type { PromptKind } from '../../shared/domain.js';
import { eventChannel, WARM_WINDOW_HASH, WINDOW_ARGUMENT, type WindowKind } from '../../shared/ipc-contract.js';
import type { RendererPages } from './renderer-pages.js';
import type { RegisteredContents, WindowRegistry } from './window-registry.js';

interface PreventableEvent {
  preventDefault(): void;
}

/** What will-navigate / will-redirect / will-frame-navigate pass (Electron's Event<…Params>). */
export interface NavigationEvent extends PreventableEvent {
  readonly url: string;
  readonly isMainFrame: boolean;
}

/** The webContents surface the factory uses; Electron's WebContents has all of it. */
export interface KeyholdWebContents extends RegisteredContents {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview' | 'will-prevent-unload', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'render-process-gone', listener: () => void): unknown;
}

/** The BrowserWindow surface Keyhold uses; Electron's BrowserWindow has all of it. */
export interface KeyholdBrowserWindow {
  readonly webContents: KeyholdWebContents;
  setContentProtection(enable: boolean): void;
  removeMenu(): void;
  loadFile(path: string, options?: { hash?: string }): Promise<void>;
  loadURL(url: string): Promise<void>;
  setTitle(title: string): void;
  show(): void;
  focus(): void;
  close(): void;
  destroy(): void;
  restore(): void;
  isDestroyed(): boolean;
  isMinimized(): boolean;
  isVisible(): boolean;
  isFocused(): boolean;
  once(event: 'ready-to-show' | 'closed', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  on(event: 'page-title-updated', listener: (event: PreventableEvent) => void): unknown;
}

export type BrowserWindowClass = new (options: BrowserWindowConstructorOptions) => KeyholdBrowserWindow;

export interface WindowFactoryDeps {
  readonly BrowserWindow: BrowserWindowClass;
  readonly pages: RendererPages;
  readonly registry: WindowRegistry;
  /** True only for `electron-vite dev` of an unpackaged app: enables DevTools. */
  readonly development: boolean;
  readonly log: (message: string) => void;
}

/**
 * The webPreferences of every Keyhold window. Exported so a test pins them for
 * each kind. The preload learns which window it serves from
 * `--keyhold-window=<kind>` (the page cannot change its process arguments);
 * main still takes the caller's identity from its registry, never from there.
 */
export function keyholdWebPreferences(options: { readonly kind: WindowKind; readonly preloadPath: string; readonly development: boolean }): WebPreferences {
  return {
    preload: options.preloadPath,
    additionalArguments: [`${WINDOW_ARGUMENT}${options.kind}`],
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    // Middle-click must not open anything (window.open is denied anyway).
    disableBlinkFeatures: 'Auxclick',
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: options.development,
  };
}

const WINDOW_SIZES: Readonly<Record<WindowKind, BrowserWindowConstructorOptions>> = {
  // Prompts: compact and fixed, so the buttons are always where the user expects them.
  approval: { width: 460, height: 580, resizable: false, maximizable: false },
  // Entry forms vary (guide, several fields): resizable, but never smaller than a short form.
  entry: { width: 540, height: 700, minWidth: 460, minHeight: 520, resizable: true, maximizable: false },
  manager: { width: 980, height: 700, minWidth: 760, minHeight: 520, resizable: true },
};

export function windowTitle(context: WindowContext, server?: string): string {
  return context.kind === 'manager' || server === undefined ? 'Keyhold' : `Keyhold — ${server}`;
}

export function browserWindowOptions(
  kind: WindowKind,
  options: { readonly title: string; readonly preloadPath: string; readonly development: boolean },
): BrowserWindowConstructorOptions {
  return {
    ...WINDOW_SIZES[kind],
    title: options.title,
    show: false,
    center: true,
    fullscreenable: false,
    autoHideMenuBar: true,
    webPreferences: keyholdWebPreferences({ kind, preloadPath: options.preloadPath, development: options.development }),
  };
}

/**
 * Opens a window for `context` (a prompt's approval/entry window, or the
 * manager). `server` names the requesting MCP server in a prompt's title.
 */
export function createKeyholdWindow(context: WindowContext, deps: WindowFactoryDeps, server?: string): KeyholdBrowserWindow {
  const win = buildWindow(context, deps, server, false);
  win.once('ready-to-show', () => {
    if (!win.isDestroyed()) win.show();
  });
  return win;
}

/** A hidden, pre-loaded prompt window that serves no prompt until `assign`. */
export interface WarmPromptWindow extends KeyholdBrowserWindow {
  /**
   * Makes this the window of `context`'s prompt (once): main's registry first,
   * then the title, then the page is told (`assigned`) and the window shown —
   * at once if the page is ready, else as soon as it is.
   */
  assign(context: PromptWindowContext, server: string): void;
}

/**
 * Pre-loads a hidden window of this prompt kind. Its registry context names
 * no prompt, so until `assign` every call it makes is refused.
 */
export function createWarmPromptWindow(kind: PromptKind, deps: WindowFactoryDeps): WarmPromptWindow {
  const win = buildWindow({ kind, warm: true }, deps, undefined, true);
  const contentsId = win.webContents.id;
  let ready = false;
  let assigned = false;
  const reveal = (): void => {
    if (win.isDestroyed() || win.webContents.isDestroyed()) return;
    // The registry already names the prompt: the page's next `load` gets it.
    win.webContents.send(eventChannel(kind, 'assigned'));
    win.show();
    win.focus();
  };
  win.once('ready-to-show', () => {
    ready = true;
    if (assigned) reveal();
  });
  return Object.assign(win, {
    assign(context: PromptWindowContext, server: string): void {
      if (assigned) throw new Error('a warm window is assigned once');
      assigned = true;
      deps.registry.assign(contentsId, context);
      win.setTitle(windowTitle(context, server));
      if (ready) reveal();
    },
  });
}

function buildWindow(context: WindowContext, deps: WindowFactoryDeps, server: string | undefined, warm: boolean): KeyholdBrowserWindow {
  const { kind } = context;
  const title = windowTitle(context, server);
  const win = new deps.BrowserWindow(browserWindowOptions(kind, { title, preloadPath: deps.pages.preloadPath(), development: deps.development }));
  const contents = win.webContents;
  const contentsId = contents.id;
  deps.registry.register({ context, pageUrl: deps.pages.pageUrl(kind), contents });
  win.once('closed', () => deps.registry.unregister(contentsId));

  win.setContentProtection(true);
  win.removeMenu();
  // The title names the real server; the page may not replace it.
  win.on('page-title-updated', (event) => event.preventDefault());

  const refuse = (what: string) => (event: PreventableEvent) => {
    event.preventDefault();
    // The URL is not logged: a compromised page could put anything in it.
    deps.log(`blocked ${what} in the ${kind} window`);
  };
  const onNavigation = (event: NavigationEvent): void => {
    if (event.isMainFrame && deps.pages.isOwnPage(kind, event.url)) return;
    refuse('a navigation')(event);
  };
  contents.on('will-navigate', onNavigation);
  contents.on('will-frame-navigate', onNavigation);
  contents.on('will-redirect', onNavigation);
  contents.setWindowOpenHandler(() => {
    deps.log(`blocked a new window from the ${kind} window`);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', refuse('a <webview>'));
  // A page cannot keep its window open with beforeunload: closing must always reach the prompt board.
  contents.on('will-prevent-unload', (event) => event.preventDefault());
  contents.on('render-process-gone', () => {
    deps.log(`the ${kind} window's renderer is gone; closing the window`);
    if (!win.isDestroyed()) win.destroy();
  });

  const source = deps.pages.source(kind);
  // The hash only tells the page to wait for `assigned`; the router's page check ignores it.
  const loading =
    source.type === 'file'
      ? warm
        ? win.loadFile(source.path, { hash: WARM_WINDOW_HASH })
        : win.loadFile(source.path)
      : win.loadURL(warm ? `${source.url}#${WARM_WINDOW_HASH}` : source.url);
  loading.catch((error: unknown) => {
    deps.log(`could not load the ${kind} page: ${error instanceof Error ? error.message : String(error)}`);
    if (!win.isDestroyed()) win.destroy();
  });
  return win;
}
