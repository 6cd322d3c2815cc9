/**
 * The desktop app without Electron, for UI tests: the real core (real
 * keychain) in this Node process, and each window's BUILT renderer
 * (out/renderer) in headless Chromium. Every prompt gets a page, like the
 * app gives it a BrowserWindow — and, like the app (ElectronWindowHost), the
 * harness keeps one pre-loaded "warm" page (`#warm`, context for no prompt)
 * per prompt kind once that kind was used, hands the next prompt to it, then
 * pre-loads another. The page's `window.keyhold` is made by the same
 * createWindowApi as the preloads, and every call goes through dispatchUi
 * with the window context main holds for the page that sent it — the same
 * path as the Electron IPC router.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { startCore, type CoreOptions, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import { PromptBoard, type WindowHost } from '../../src/main/core/prompt-board.js';
import type { Prompt } from '../../src/main/core/prompter.js';
import type { CommandInstaller } from '../../src/main/command-install/command-installer.js';
import { createUiHandlers, dispatchUi, type WindowContext } from '../../src/main/core/ui-handlers.js';
import { WARM_DELAY_MS } from '../../src/main/electron/electron-window-host.js';
import { CONTENT_SECURITY_POLICY } from '../../src/shared/content-security-policy.js';
import { EXTERNAL_LINK_ALLOWLIST_DEFAULT, eventChannel, WARM_WINDOW_HASH, type WindowKind } from '../../src/shared/ipc-contract.js';
import { REPO_ROOT } from '../helpers/spawn-serve.js';

export const CHROMIUM_PATH = process.env['KEYHOLD_CHROMIUM'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];
const RENDERER_DIR = join(REPO_ROOT, 'out', 'renderer');
const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2' };

export interface HarnessOptions extends Partial<Omit<CoreOptions, 'prompter' | 'dataDir' | 'appVersion'>> {
  readonly dataDir: string;
  readonly colorScheme?: 'light' | 'dark';
  /** Settings → the keyhold command (default: none, as outside the packaged app). */
  readonly commandInstaller?: CommandInstaller;
}

type PromptKind = Prompt['kind'];

export interface OpenedWindow {
  readonly page: Page;
  /** The context main holds for the page (a warm page's, from when it was assigned its prompt). */
  readonly context: WindowContext;
  readonly prompt?: Prompt;
  /** Resolves when the window was closed (by the app or the user). */
  readonly closed: Promise<void>;
}

export class BrowserHarness implements WindowHost {
  readonly opened: OpenedWindow[] = [];
  /** Links the app asked the OS to open (allowlisted only). */
  readonly externalLinks: string[] = [];
  /** UI requests refused by dispatchUi (wrong window, bad payload). */
  readonly rejected: string[] = [];
  loginItem = false;
  private readonly waiters: Array<(window: OpenedWindow) => void> = [];
  private readonly pages = new Map<string, Page>();
  /** Main's registry: which context each page serves (a warm page: no prompt yet). */
  private readonly contexts = new Map<Page, WindowContext>();
  /** One pre-loaded page per prompt kind (resolves undefined if it could not load). */
  private readonly warm = new Map<PromptKind, Promise<Page | undefined>>();
  private readonly warming = new Set<PromptKind>();
  private stopped = false;
  private closingByApp = new Set<string>();
  private handlers!: ReturnType<typeof createUiHandlers>;

  private constructor(
    readonly board: PromptBoard,
    readonly core: KeyholdCore,
    private readonly browser: Browser,
    private readonly context: BrowserContext,
    private readonly server: Server,
    private readonly preloadBundle: string,
  ) {}

  static async start(options: HarnessOptions): Promise<BrowserHarness> {
    const preloadBundle = await bundlePreload();
    const server = await serveRenderer();
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    const context = await browser.newContext({ viewport: { width: 520, height: 640 }, colorScheme: options.colorScheme ?? 'light', deviceScaleFactor: 1 });
    const board = new PromptBoard();
    const { commandInstaller, ...coreOptions } = options;
    const core = await startCore({ ...coreOptions, prompter: board, appVersion: 'harness', writeDiscoveryFile: options.writeDiscoveryFile ?? false });
    const harness = new BrowserHarness(board, core, browser, context, server, preloadBundle);
    harness.handlers = createUiHandlers({
      core,
      board,
      loginItem: { get: () => harness.loginItem, set: (on) => void (harness.loginItem = on) },
      openExternal: async (url) => void harness.externalLinks.push(url),
      linkAllowlist: EXTERNAL_LINK_ALLOWLIST_DEFAULT,
      ...(commandInstaller === undefined ? {} : { commandInstaller }),
    });
    board.attach(harness);
    const notifyManagers = (): void => harness.emit('manager', 'changed');
    for (const source of [core.vault, core.grants, core.rules, core.settings, board]) source.onChange(notifyManagers);
    return harness;
  }

  get rendererUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves with the next window opened (or one already opened after `since`). */
  nextWindow(since = this.opened.length): Promise<OpenedWindow> {
    const already = this.opened[since];
    if (already !== undefined) return Promise.resolve(already);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The next prompt window (after `since`), checked to be of `kind`, once it shows its verification code. */
  async promptWindow(since: number, kind: PromptKind): Promise<OpenedWindow> {
    const opened = await this.nextWindow(since);
    if (opened.context.kind !== kind) throw new Error(`expected a ${kind} window, got a ${opened.context.kind} window`);
    await opened.page.getByTestId('verification-code').waitFor();
    return opened;
  }

  /** Resolves once a warm page of this kind is loaded and waiting (after a prompt of that kind opened). */
  async waitForWarm(kind: PromptKind): Promise<void> {
    for (;;) {
      const warm = this.warm.get(kind);
      if (warm !== undefined && (await warm) !== undefined) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async openManager(): Promise<OpenedWindow> {
    return this.openPage({ kind: 'manager' }, 'manager');
  }

  // WindowHost
  openPrompt(prompt: Prompt): void {
    if (this.pages.has(prompt.id)) {
      this.focusPrompt(prompt.id);
      return;
    }
    const context: WindowContext = { kind: prompt.kind, promptId: prompt.id };
    const warm = this.warm.get(prompt.kind);
    this.warm.delete(prompt.kind);
    if (warm === undefined) void this.openPage(context, prompt.id, prompt);
    else void this.assign(warm, context, prompt);
    this.scheduleWarm(prompt.kind);
  }

  closePrompt(promptId: string): void {
    const page = this.pages.get(promptId);
    if (page === undefined) return;
    this.closingByApp.add(promptId);
    void page.close().catch(() => undefined);
  }

  focusPrompt(promptId: string): void {
    void this.pages.get(promptId)?.bringToFront();
  }

  /** Pushes an event to every open window of a kind (as the IPC router's sendEvent). */
  emit(kind: WindowKind, event: string): void {
    const channel = eventChannel(kind, event as never);
    for (const opened of this.opened) {
      if (opened.context.kind === kind && !opened.page.isClosed()) {
        void opened.page
          .evaluate((c) => (globalThis as unknown as { __keyholdEmit(channel: string): void }).__keyholdEmit(c), channel)
          .catch(() => undefined);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.core.stop();
    await this.context.close().catch(() => undefined);
    await this.browser.close().catch(() => undefined);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async openPage(context: WindowContext, key: string, prompt?: Prompt): Promise<OpenedWindow> {
    const page = await this.newPage(context);
    const opened = this.serve(page, context, key, prompt);
    await page.goto(`${this.rendererUrl}/${context.kind}.html`).catch(() => undefined);
    return opened;
  }

  /** A page with main's context for it and the preload, not yet navigated. */
  private async newPage(context: WindowContext): Promise<Page> {
    const page = await this.context.newPage();
    // The app's window sizes (window-factory.ts): prompts at their width, the manager at its size.
    await page.setViewportSize(HARNESS_VIEWPORTS[context.kind]);
    this.contexts.set(page, context);
    page.once('close', () => this.contexts.delete(page));
    await page.exposeBinding('__keyholdInvoke', async (_source, channel: string, payload: unknown) => {
      const match = /^keyhold:(approval|entry|manager)\.(\w+)$/.exec(channel);
      const current = this.contexts.get(page);
      if (match === null || current === undefined) throw new Error('unknown channel');
      try {
        return await dispatchUi(this.handlers, current, match[1] as WindowKind, match[2] ?? '', payload);
      } catch (error) {
        this.rejected.push(`${channel}: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      }
    });
    await page.addInitScript((kind) => Object.assign(globalThis, { __keyholdKind: kind }), context.kind);
    await page.addInitScript({ content: this.preloadBundle });
    return page;
  }

  /** Makes `page` the window of `key` (a prompt id, or the manager) and announces it to nextWindow. */
  private serve(page: Page, context: WindowContext, key: string, prompt?: Prompt): OpenedWindow {
    this.contexts.set(page, context);
    this.pages.set(key, page);
    const closed = new Promise<void>((resolve) => (page.isClosed() ? resolve() : page.once('close', () => resolve())));
    void closed.then(() => {
      if (this.pages.get(key) === page) this.pages.delete(key);
      if (prompt !== undefined && !this.closingByApp.delete(key)) this.board.windowClosed(prompt.id);
    });
    const opened: OpenedWindow = { page, context, closed, ...(prompt === undefined ? {} : { prompt }) };
    this.opened.push(opened);
    for (const waiter of this.waiters.splice(0)) waiter(opened);
    return opened;
  }

  /** As ElectronWindowHost: the next warm page of this kind, a little after a prompt of it opened. */
  private scheduleWarm(kind: PromptKind): void {
    if (this.warming.has(kind) || this.warm.has(kind)) return;
    this.warming.add(kind);
    setTimeout(() => {
      this.warming.delete(kind);
      if (this.stopped || this.warm.has(kind)) return;
      const ready = this.preload(kind);
      this.warm.set(kind, ready);
      void ready.then((page) => {
        if (page === undefined) return void (this.warm.get(kind) === ready && this.warm.delete(kind));
        // Closed before it served a prompt: just dropped.
        page.once('close', () => this.warm.get(kind) === ready && this.warm.delete(kind));
      });
    }, WARM_DELAY_MS).unref();
  }

  /** A page of this kind (a hidden window in the app), loaded with `#warm`, whose context names no prompt. */
  private async preload(kind: PromptKind): Promise<Page | undefined> {
    try {
      const page = await this.newPage({ kind, warm: true });
      await page.goto(`${this.rendererUrl}/${kind}.html#${WARM_WINDOW_HASH}`);
      return page;
    } catch {
      return undefined;
    }
  }

  /** Main's assignment: the context first, then the page is told (`assigned`) and brought forward. */
  private async assign(warm: Promise<Page | undefined>, context: WindowContext, prompt: Prompt): Promise<void> {
    const page = await warm;
    if (this.board.get(prompt.id) === undefined) {
      // Answered or cancelled while the warm page was still loading: it stays warm for nobody; close it.
      void page?.close().catch(() => undefined);
      return;
    }
    if (page === undefined || page.isClosed()) {
      await this.openPage(context, prompt.id, prompt);
      return;
    }
    this.serve(page, context, prompt.id, prompt);
    const channel = eventChannel(context.kind, 'assigned' as never);
    // Brought forward first (a background page may not paint), then told; one CDP session keeps the order.
    const front = page.bringToFront().catch(() => undefined);
    await page.evaluate((c) => (globalThis as unknown as { __keyholdEmit(channel: string): void }).__keyholdEmit(c), channel).catch(() => undefined);
    await front;
  }
}

/**
 * Clicks a button that answers the prompt. The answer closes the window, which can
 * happen while Playwright still finishes the click: that (and only that) is not an
 * error here; the test checks the outcome through the client's promise.
 */
export async function answer(page: Page, testId: string): Promise<void> {
  await page
    .getByTestId(testId)
    .click()
    .catch((error: unknown) => {
      if (!page.isClosed() && !/has been closed/.test(String(error))) throw error;
    });
}

/** The content sizes the app's windows open at (prompts then fit their height to the page). */
export const HARNESS_VIEWPORTS: Readonly<Record<WindowKind, { width: number; height: number }>> = {
  approval: { width: 460, height: 480 },
  entry: { width: 540, height: 560 },
  manager: { width: 980, height: 700 },
};

async function bundlePreload(): Promise<string> {
  const result = await build({
    entryPoints: [join(REPO_ROOT, 'test/harness/page-preload.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error('esbuild produced no preload bundle');
  return file.text;
}

/** Serves out/renderer on loopback with the app's CSP as a header too. */
async function serveRenderer(): Promise<Server> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/')).replace(/^(\.\.[/\\])+/, '');
    const file = join(RENDERER_DIR, path);
    if (!file.startsWith(RENDERER_DIR)) {
      response.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => {
        response.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': CONTENT_SECURITY_POLICY });
        response.end(body);
      },
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
