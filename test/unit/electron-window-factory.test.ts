import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import type { BrowserWindowConstructorOptions } from 'electron';

import type { WindowContext } from '../../src/main/core/ui-handlers.js';
import { createRendererPages } from '../../src/main/electron/renderer-pages.js';
import {
  createKeyholdWindow,
  createWarmPromptWindow,
  fittedHeight,
  keyholdWebPreferences,
  PROMPT_HEIGHTS,
  type WindowFactoryDeps,
} from '../../src/main/electron/window-factory.js';
import { WindowRegistry } from '../../src/main/electron/window-registry.js';
import { eventChannel, WINDOW_KINDS, type WindowKind } from '../../src/shared/ipc-contract.js';

type Listener = (...args: never[]) => unknown;

class FakeEmitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  once(event: string, listener: Listener): this {
    const wrapped = (...args: never[]): unknown => {
      this.listeners.set(event, (this.listeners.get(event) ?? []).filter((l) => l !== wrapped));
      return listener(...args);
    };
    return this.on(event, wrapped);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (...a: unknown[]) => unknown)(...args);
  }
  has(event: string): boolean {
    return (this.listeners.get(event) ?? []).length > 0;
  }
}

let nextContentsId = 100;

class FakeWebContents extends FakeEmitter {
  readonly id = nextContentsId++;
  readonly sent: string[] = [];
  openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  isDestroyed(): boolean {
    return false;
  }
  send(channel: string): void {
    this.sent.push(channel);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
}

class FakeBrowserWindow extends FakeEmitter {
  static created: FakeBrowserWindow[] = [];
  static failLoads = false;
  readonly webContents = new FakeWebContents();
  contentProtection: boolean | undefined;
  menuRemoved = false;
  loaded: { file?: string; url?: string; hash?: string } = {};
  shown = 0;
  focused = 0;
  flashes: boolean[] = [];
  contentSize: [number, number] | undefined;
  destroyed = false;
  title = '';

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    this.title = options.title ?? '';
    FakeBrowserWindow.created.push(this);
  }
  setContentProtection(enable: boolean): void {
    this.contentProtection = enable;
  }
  removeMenu(): void {
    this.menuRemoved = true;
  }
  loadFile(path: string, options?: { hash?: string }): Promise<void> {
    this.loaded = { file: path, ...(options?.hash === undefined ? {} : { hash: options.hash }) };
    return FakeBrowserWindow.failLoads ? Promise.reject(new Error('ERR_FILE_NOT_FOUND')) : Promise.resolve();
  }
  loadURL(url: string): Promise<void> {
    this.loaded = { url };
    return Promise.resolve();
  }
  setTitle(title: string): void {
    this.title = title;
  }
  show(): void {
    this.shown++;
  }
  focus(): void {
    this.focused++;
  }
  flashFrame(flag: boolean): void {
    this.flashes.push(flag);
  }
  setContentSize(width: number, height: number): void {
    this.contentSize = [width, height];
  }
  close(): void {
    this.emit('closed');
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('closed');
  }
  restore(): void {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return false;
  }
  isVisible(): boolean {
    return this.shown > 0;
  }
  isFocused(): boolean {
    return false;
  }
}

const outDir = join('/opt', 'Keyhold', 'resources', 'app.asar', 'out');

function setup(options: { development?: boolean; devServerUrl?: string } = {}) {
  const registry = new WindowRegistry();
  const logs: string[] = [];
  const timers: Array<{ task: () => void; cancelled: boolean }> = [];
  const fireTimers = (): void => {
    for (const timer of timers.splice(0)) if (!timer.cancelled) timer.task();
  };
  const deps: WindowFactoryDeps = {
    BrowserWindow: FakeBrowserWindow,
    pages: createRendererPages({ outDir, ...(options.devServerUrl === undefined ? {} : { devServerUrl: options.devServerUrl }) }),
    registry,
    development: options.development ?? false,
    log: (m) => logs.push(m),
    // The ready-to-show fallback: the test fires it (no clock).
    after: (_ms, task) => {
      const timer = { task, cancelled: false };
      timers.push(timer);
      return () => (timer.cancelled = true);
    },
  };
  const open = (context: WindowContext, server?: string) => {
    createKeyholdWindow(context, deps, server);
    const win = FakeBrowserWindow.created.at(-1);
    assert.ok(win);
    return win;
  };
  const warm = (kind: 'approval' | 'entry') => {
    const handle = createWarmPromptWindow(kind, deps);
    const win = FakeBrowserWindow.created.at(-1);
    assert.ok(win);
    return { handle, win };
  };
  return { registry, logs, open, warm, fireTimers };
}

const contextOf = (kind: WindowKind): WindowContext => (kind === 'manager' ? { kind } : { kind, promptId: `prompt-${kind}` });
const navigation = (url: string, isMainFrame = true) => {
  let prevented = false;
  return { event: { url, isMainFrame, preventDefault: () => (prevented = true) }, prevented: () => prevented };
};

describe('window factory', () => {
  it('prompt windows fit their page height within min/max; the manager keeps its size', () => {
    const { open } = setup();
    const approval = open(contextOf('approval'), 'github');
    assert.equal(approval.options.useContentSize, true);
    approval.webContents.emit('preferred-size-changed', {}, { width: 460, height: 410.4 });
    assert.deepEqual(approval.contentSize, [460, 411]);
    approval.webContents.emit('preferred-size-changed', {}, { width: 460, height: 5000 });
    assert.deepEqual(approval.contentSize, [460, PROMPT_HEIGHTS.approval.max]);
    approval.webContents.emit('preferred-size-changed', {}, { width: 460, height: 12 });
    assert.deepEqual(approval.contentSize, [460, PROMPT_HEIGHTS.approval.min]);
    const entry = open(contextOf('entry'), 'github');
    entry.webContents.emit('preferred-size-changed', {}, { width: 999, height: 600 });
    assert.deepEqual(entry.contentSize, [540, 600], 'the width stays the window kind\'s');
    assert.equal(fittedHeight('entry', Number.NaN), PROMPT_HEIGHTS.entry.min);
    const manager = open(contextOf('manager'));
    assert.equal(manager.webContents.has('preferred-size-changed'), false);
  });

  for (const kind of WINDOW_KINDS) {
    it(`${kind}: locked-down webPreferences, the preload told its window kind, DevTools off outside development`, () => {
      const win = setup().open(contextOf(kind), 'github');
      assert.deepEqual(win.options.webPreferences, {
        preload: join(outDir, 'preload', 'index.cjs'),
        additionalArguments: [`--keyhold-window=${kind}`],
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        experimentalFeatures: false,
        disableBlinkFeatures: 'Auxclick',
        navigateOnDragDrop: false,
        safeDialogs: true,
        spellcheck: false,
        devTools: false,
        ...(kind === 'manager' ? {} : { enablePreferredSizeMode: true }),
      });
      assert.deepEqual(win.options.webPreferences, keyholdWebPreferences({ kind, preloadPath: join(outDir, 'preload', 'index.cjs'), development: false }));
    });

    it(`screen_capture_sees_code: ${kind}: content protection, no menu, hidden until ready-to-show, centred`, () => {
      const win = setup().open(contextOf(kind), 'github');
      assert.equal(win.contentProtection, true);
      assert.equal(win.menuRemoved, true);
      assert.equal(win.options.show, false);
      assert.equal(win.options.center, true);
      assert.equal(win.shown, 0);
      win.emit('ready-to-show');
      assert.equal(win.shown, 1);
    });

    it(`${kind}: a window that never becomes ready is shown after the timeout, and the log says so`, () => {
      const { open, logs, fireTimers } = setup();
      const win = open(contextOf(kind), 'github');
      assert.equal(win.shown, 0);
      fireTimers();
      assert.equal(win.shown, 1);
      assert.match(logs.join('\n'), new RegExp(`the ${kind} window was not ready after \\d+ ms; showing it anyway`));
      win.emit('ready-to-show');
      assert.equal(win.shown, 1, 'shown once');
      const ready = open(contextOf(kind), 'github');
      ready.emit('ready-to-show');
      fireTimers();
      assert.equal(ready.shown, 1, 'a ready window cancels its fallback');
    });

    it(`${kind}: when the desktop refuses focus, the window flashes until it gets focus`, () => {
      const win = setup().open(contextOf(kind), 'github');
      win.emit('ready-to-show');
      assert.deepEqual(win.flashes, [true]);
      win.emit('focus');
      assert.deepEqual(win.flashes, [true, false]);
    });

    it(`${kind}: navigation away, redirects, subframe navigation, new windows and webviews are denied`, () => {
      const { open, logs } = setup();
      const win = open(contextOf(kind), 'github');
      const own = pathToFileURL(join(outDir, 'renderer', `${kind}.html`)).href;
      for (const event of ['will-navigate', 'will-redirect', 'will-frame-navigate']) assert.ok(win.webContents.has(event), `${event} handler`);

      const away = navigation('https://evil.example/?steal=1');
      win.webContents.emit('will-navigate', away.event);
      assert.equal(away.prevented(), true);
      const redirect = navigation('https://evil.example/');
      win.webContents.emit('will-redirect', redirect.event);
      assert.equal(redirect.prevented(), true);
      const otherPage = navigation(pathToFileURL(join(outDir, 'renderer', kind === 'manager' ? 'approval.html' : 'manager.html')).href);
      win.webContents.emit('will-navigate', otherPage.event);
      assert.equal(otherPage.prevented(), true, "another window's page is not this window's page");
      const subframe = navigation(own, false);
      win.webContents.emit('will-frame-navigate', subframe.event);
      assert.equal(subframe.prevented(), true);
      const reload = navigation(`${own}#top`);
      win.webContents.emit('will-navigate', reload.event);
      assert.equal(reload.prevented(), false, 'the same page may reload');

      assert.deepEqual(win.webContents.openHandler?.({ url: 'https://evil.example/' }), { action: 'deny' });
      let webviewPrevented = false;
      win.webContents.emit('will-attach-webview', { preventDefault: () => (webviewPrevented = true) });
      assert.equal(webviewPrevented, true);
      assert.equal(logs.some((l) => l.includes('evil.example')), false, 'blocked URLs are not logged');
    });
  }

  it('DevTools are on only in development', () => {
    const win = setup({ development: true }).open({ kind: 'manager' });
    assert.equal(win.options.webPreferences?.devTools, true);
  });

  it('prompt windows are compact and titled with the server; the page cannot change the title', () => {
    const { open } = setup();
    const approval = open({ kind: 'approval', promptId: 'p1' }, 'github');
    assert.equal(approval.options.title, 'Keyhold — github');
    assert.equal(approval.options.resizable, false);
    assert.ok((approval.options.width ?? 0) <= 600 && (approval.options.height ?? 0) <= 700);
    const entry = open({ kind: 'entry', promptId: 'p2' }, 'slack');
    assert.equal(entry.options.title, 'Keyhold — slack');
    assert.equal(open({ kind: 'manager' }).options.title, 'Keyhold');
    let prevented = false;
    approval.emit('page-title-updated', { preventDefault: () => (prevented = true) });
    assert.equal(prevented, true);
  });

  it('registers the window (context + its page URL) before loading, and unregisters it when closed', () => {
    const { open, registry } = setup();
    const win = open({ kind: 'approval', promptId: 'p1' }, 'github');
    const entry = registry.get(win.webContents.id);
    assert.deepEqual(entry?.context, { kind: 'approval', promptId: 'p1' });
    assert.equal(entry.pageUrl, pathToFileURL(join(outDir, 'renderer', 'approval.html')).href);
    assert.deepEqual(win.loaded, { file: join(outDir, 'renderer', 'approval.html') });
    win.close();
    assert.equal(registry.get(win.webContents.id), undefined);
  });

  it('loads from the dev server when one is trusted', () => {
    const win = setup({ devServerUrl: 'http://localhost:5173' }).open({ kind: 'entry', promptId: 'p' }, 'x');
    assert.deepEqual(win.loaded, { url: 'http://localhost:5173/entry.html' });
  });

  it('a page that cannot load closes its window (a prompt is then denied, not left hanging)', async () => {
    FakeBrowserWindow.failLoads = true;
    try {
      const { open, logs, registry } = setup();
      const win = open({ kind: 'approval', promptId: 'p1' }, 'github');
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(win.destroyed, true);
      assert.equal(registry.size, 0);
      assert.ok(logs.some((l) => l.includes('could not load the approval page')));
    } finally {
      FakeBrowserWindow.failLoads = false;
    }
  });

  it('a crashed renderer closes its window; a page cannot block closing with beforeunload', () => {
    const win = setup().open({ kind: 'entry', promptId: 'p1' }, 'github');
    let unloadPrevented = false;
    win.webContents.emit('will-prevent-unload', { preventDefault: () => (unloadPrevented = true) });
    assert.equal(unloadPrevented, true, 'preventDefault on will-prevent-unload lets the window close');
    win.webContents.emit('render-process-gone');
    assert.equal(win.destroyed, true);
  });

  it('a warm window loads hidden (#warm) for no prompt; assign names its prompt in the registry before the page is told, then shows it', () => {
    const { warm, registry } = setup();
    const { handle, win } = warm('approval');
    assert.deepEqual(win.loaded, { file: join(outDir, 'renderer', 'approval.html'), hash: 'warm' });
    assert.deepEqual(registry.get(win.webContents.id)?.context, { kind: 'approval', warm: true });
    assert.equal(registry.forPrompt(''), undefined);
    win.emit('ready-to-show');
    assert.equal(win.shown, 0, 'a warm window stays hidden');
    let contextWhenTold: unknown;
    const send = win.webContents.send.bind(win.webContents);
    win.webContents.send = (channel: string) => {
      contextWhenTold = registry.get(win.webContents.id)?.context;
      send(channel);
    };
    handle.assign({ kind: 'approval', promptId: 'p1' }, 'github');
    assert.deepEqual(win.webContents.sent, [eventChannel('approval', 'assigned')]);
    assert.deepEqual(contextWhenTold, { kind: 'approval', promptId: 'p1' });
    assert.equal(win.title, 'Keyhold — github');
    assert.equal(win.shown, 1);
    assert.equal(win.focused, 1);
    assert.throws(() => handle.assign({ kind: 'approval', promptId: 'p2' }, 'github'));
    assert.deepEqual(registry.get(win.webContents.id)?.context, { kind: 'approval', promptId: 'p1' });
  });

  it('a warm window assigned before its page is ready is told and shown once it is', () => {
    const { warm, registry } = setup({ devServerUrl: 'http://localhost:5173' });
    const { handle, win } = warm('entry');
    assert.deepEqual(win.loaded, { url: 'http://localhost:5173/entry.html#warm' });
    handle.assign({ kind: 'entry', promptId: 'p9' }, 'slack');
    assert.deepEqual(registry.get(win.webContents.id)?.context, { kind: 'entry', promptId: 'p9' });
    assert.deepEqual(win.webContents.sent, []);
    assert.equal(win.shown, 0);
    win.emit('ready-to-show');
    assert.deepEqual(win.webContents.sent, [eventChannel('entry', 'assigned')]);
    assert.equal(win.shown, 1);
  });

  it('the registry assigns only a warm window, of its own kind, to a real prompt', () => {
    const { open, warm, registry } = setup();
    const assigned = open({ kind: 'approval', promptId: 'p1' }, 'github');
    assert.throws(() => registry.assign(assigned.webContents.id, { kind: 'approval', promptId: 'p2' }));
    assert.throws(() => registry.assign(open({ kind: 'manager' }).webContents.id, { kind: 'approval', promptId: 'p2' }));
    const { win } = warm('approval');
    assert.throws(() => registry.assign(win.webContents.id, { kind: 'entry', promptId: 'p2' }));
    assert.throws(() => registry.assign(win.webContents.id, { kind: 'approval', promptId: '' }));
    assert.throws(() => registry.assign(12345, { kind: 'approval', promptId: 'p2' }));
    assert.deepEqual(registry.get(win.webContents.id)?.context, { kind: 'approval', warm: true });
  });
});
