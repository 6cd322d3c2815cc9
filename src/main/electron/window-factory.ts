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
 * Prompt windows fit their content: Chromium reports the page's preferred
 * size (`enablePreferredSizeMode`) and the window's content height follows it,
 * within the kind's min/max (their pages lay out at natural height).
 *
 * A window is shown on `ready-to-show`; if that never comes (a GPU process
 * that hangs, a page that never paints) it is shown after READY_TIMEOUT_MS
 * anyway, and the log says so — a prompt nobody can see would only time out.
 *
 * BrowserWindow is injected: the factory runs against a fake class in unit
 * tests, without Electron.
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

import type { PromptWindowContext, WindowContext } from '../core/ui-handlers.js';
import type { PromptKind } from '../../shared/domain.js';
import { eventChannel, WARM_WINDOW_HASH, WINDOW_ARGUMENT, type WindowKind } from '../../shared/ipc-contract.js';
import { bringForward } from './bring-forward.js';
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
  on(event: 'preferred-size-changed', listener: (event: unknown, size: { width: number; height: number }) => void): unknown;
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
  flashFrame(flag: boolean): void;
  setContentSize(width: number, height: number): void;
  close(): void;
  destroy(): void;
  restore(): void;
  isDestroyed(): boolean;
  isMinimized(): boolean;
  isVisible(): boolean;
  isFocused(): boolean;
  once(event: 'ready-to-show' | 'closed' | 'focus', listener: () => void): unknown;
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
  /** Activates the app before a window is focused (macOS: app.focus({ steal: true })). */
  readonly focusApp?: () => void;
  /** Runs `task` after `ms` unless cancelled (default: an unref'd setTimeout); tests inject their own. */
  readonly after?: (ms: number, task: () => void) => () => void;
}

/** How long a window may take to become ready before it is shown anyway. */
export const READY_TIMEOUT_MS = 5_000;

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
    // Prompt windows follow their page's height (preferred-size-changed).
    ...(options.kind === 'manager' ? {} : { enablePreferredSizeMode: true }),
  };
}

const WINDOW_SIZES: Readonly<Record<WindowKind, BrowserWindowConstructorOptions>> = {
  // Prompts: a fixed width, the height of their content (see PROMPT_HEIGHTS); the approval is not resizable.
  approval: { width: 460, height: 480, useContentSize: true, resizable: false, maximizable: false },
  // Entry forms vary (guide, several fields): resizable, but never narrower than a short form.
  entry: { width: 540, height: 560, minWidth: 460, minHeight: 360, useContentSize: true, resizable: true, maximizable: false },
  manager: { width: 980, height: 700, minWidth: 760, minHeight: 520, resizable: true },
};

/** The content heights a prompt window may take to fit its page: never a sliver, never taller than a laptop screen. */
export const PROMPT_HEIGHTS: Readonly<Record<'approval' | 'entry', { readonly min: number; readonly max: number }>> = {
  approval: { min: 320, max: 720 },
  entry: { min: 360, max: 760 },
};

/** The content height a prompt window takes for a page that wants `preferred` pixels. */
export function fittedHeight(kind: 'approval' | 'entry', preferred: number): number {
  const { min, max } = PROMPT_HEIGHTS[kind];
  return Number.isFinite(preferred) ? Math.min(max, Math.max(min, Math.ceil(preferred))) : min;
}

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
  let shown = false;
  const reveal = (): void => {
    if (shown || win.isDestroyed()) return;
    shown = true;
    cancel();
    bringForward(win, deps.focusApp);
  };
  const cancel = afterTimeout(deps, () => {
    if (shown || win.isDestroyed()) return;
    deps.log(`the ${context.kind} window was not ready after ${READY_TIMEOUT_MS} ms; showing it anyway`);
    reveal();
  });
  win.once('ready-to-show', reveal);
  win.once('closed', () => cancel());
  return win;
}

function afterTimeout(deps: WindowFactoryDeps, task: () => void): () => void {
  if (deps.after !== undefined) return deps.after(READY_TIMEOUT_MS, task);
  const timer = setTimeout(task, READY_TIMEOUT_MS);
  timer.unref?.();
  return () => clearTimeout(timer);
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
  let revealed = false;
  let cancel = (): void => undefined;
  const reveal = (): void => {
    if (revealed || win.isDestroyed() || win.webContents.isDestroyed()) return;
    revealed = true;
    cancel();
    // The registry already names the prompt: the page's next `load` gets it.
    win.webContents.send(eventChannel(kind, 'assigned'));
    bringForward(win, deps.focusApp);
  };
  win.once('ready-to-show', () => {
    ready = true;
    if (assigned) reveal();
  });
  win.once('closed', () => cancel());
  return Object.assign(win, {
    assign(context: PromptWindowContext, server: string): void {
      if (assigned) throw new Error('a warm window is assigned once');
      assigned = true;
      deps.registry.assign(contentsId, context);
      win.setTitle(windowTitle(context, server));
      if (ready) return reveal();
      cancel = afterTimeout(deps, () => {
        if (revealed || win.isDestroyed()) return;
        deps.log(`the warm ${kind} window was not ready after ${READY_TIMEOUT_MS} ms; showing it anyway`);
        reveal();
      });
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
  if (kind !== 'manager') {
    const width = Number(WINDOW_SIZES[kind].width);
    // The page's own number, clamped: a page can at most pick a height between min and max.
    contents.on('preferred-size-changed', (_event, size) => {
      if (!win.isDestroyed()) win.setContentSize(width, fittedHeight(kind, size.height));
    });
  }
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
