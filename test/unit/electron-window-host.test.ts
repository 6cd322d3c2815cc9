import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PromptBoard } from '../../src/main/core/prompt-board.js';
import type { ApprovalPrompt, EntryPrompt } from '../../src/main/core/prompter.js';
import type { PromptWindowContext, WindowContext } from '../../src/main/core/ui-handlers.js';
import { ElectronWindowHost, type WarmWindow } from '../../src/main/electron/electron-window-host.js';
import { ManagerWindowController } from '../../src/main/electron/manager-window.js';
import { notificationText, PromptNotifier, type DesktopNotification } from '../../src/main/electron/prompt-notifier.js';

class FakeWindow implements WarmWindow {
  readonly calls: string[] = [];
  destroyed = false;
  minimized = false;
  /** False: the desktop refuses focus (Windows' foreground lock, focus-stealing prevention). */
  focusAllowed = true;
  focused = false;
  private closedListeners: Array<() => void> = [];
  private focusListeners: Array<() => void> = [];
  constructor(public context: WindowContext) {}
  assign(context: PromptWindowContext, server: string): void {
    this.calls.push(`assign ${context.promptId} ${server}`);
    this.context = context;
  }
  show(): void {
    this.calls.push('show');
  }
  focus(): void {
    this.calls.push('focus');
    if (!this.focusAllowed) return;
    this.focused = true;
    for (const listener of this.focusListeners.splice(0)) listener();
  }
  isFocused(): boolean {
    return this.focused;
  }
  flashFrame(flag: boolean): void {
    this.calls.push(`flash ${flag}`);
  }
  restore(): void {
    this.calls.push('restore');
    this.minimized = false;
  }
  close(): void {
    this.calls.push('close');
    this.userCloses();
  }
  /** The title-bar X: Electron emits 'closed'. */
  userCloses(): void {
    this.destroyed = true;
    for (const listener of this.closedListeners.splice(0)) listener();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  once(event: 'closed' | 'focus', listener: () => void): this {
    (event === 'closed' ? this.closedListeners : this.focusListeners).push(listener);
    return this;
  }
}

const proc = { claimedPid: 1, pid: 1, verified: false };
const approval = (id: string): ApprovalPrompt => ({ kind: 'approval', id, server: 'github', process: proc, names: ['token'], verificationCode: 'ABCD-EFGH', expiresAt: 0 });
const entry = (id: string): EntryPrompt => ({
  kind: 'entry',
  id,
  server: 'slack',
  process: proc,
  fields: [{ name: 'bot_token', label: 'Bot token', type: 'password', required: true }],
  verificationCode: 'JKLM-NPQR',
  expiresAt: 0,
});

function setup() {
  const board = new PromptBoard();
  const windows: FakeWindow[] = [];
  const servers: string[] = [];
  const events: string[] = [];
  const host = new ElectronWindowHost({
    openWindow: (context, server) => {
      const w = new FakeWindow(context);
      windows.push(w);
      servers.push(server);
      return w;
    },
    windowClosed: (id) => board.windowClosed(id),
    promptOpening: (p) => events.push(`opening ${p.id}`),
    promptGone: (id) => events.push(`gone ${id}`),
  });
  board.attach(host);
  return { board, host, windows, servers, events };
}

describe('Electron window host', () => {
  it('opens one window per prompt, for that prompt, titled with its server', () => {
    const { board, windows, servers, events } = setup();
    void board.approve(approval('p1'), new AbortController().signal);
    void board.enter(entry('p2'), new AbortController().signal);
    assert.deepEqual(windows.map((w) => w.context), [{ kind: 'approval', promptId: 'p1' }, { kind: 'entry', promptId: 'p2' }]);
    assert.deepEqual(servers, ['github', 'slack']);
    assert.deepEqual(events, ['opening p1', 'opening p2']);
  });

  it('a window the user closes denies the approval / cancels the entry', async () => {
    const { board, windows, events } = setup();
    const decided = board.approve(approval('p1'), new AbortController().signal);
    const entered = board.enter(entry('p2'), new AbortController().signal);
    windows[0]?.userCloses();
    windows[1]?.userCloses();
    assert.equal(await decided, 'deny');
    assert.deepEqual(await entered, { action: 'cancel' });
    assert.deepEqual(events.slice(2), ['gone p1', 'gone p2']);
  });

  it('an answered or aborted prompt closes its window (and that close is not a second answer)', async () => {
    const { board, windows, host } = setup();
    const decided = board.approve(approval('p1'), new AbortController().signal);
    assert.equal(board.answerApproval('p1', 'allow_session'), true);
    assert.equal(await decided, 'allow_session');
    assert.deepEqual(windows[0]?.calls, ['close']);
    const controller = new AbortController();
    const aborted = board.enter(entry('p2'), controller.signal);
    controller.abort(new Error('timeout'));
    await assert.rejects(aborted);
    assert.deepEqual(windows[1]?.calls, ['close']);
    assert.deepEqual(host.openPromptIds(), []);
  });

  it('focus restores, shows and focuses the prompt window; unknown prompts are ignored', () => {
    const { board, windows } = setup();
    void board.approve(approval('p1'), new AbortController().signal);
    const w = windows[0];
    assert.ok(w);
    w.minimized = true;
    board.focus('p1');
    assert.deepEqual(w.calls, ['restore', 'show', 'focus']);
    board.focus('nope');
    assert.equal(w.calls.length, 3);
    board.windowClosed('p1');
  });

  it('attaching after prompts opened shows them; opening the same prompt twice only focuses it', () => {
    const board = new PromptBoard();
    void board.approve(approval('early'), new AbortController().signal);
    const windows: FakeWindow[] = [];
    const host = new ElectronWindowHost({ openWindow: (c) => (windows.push(new FakeWindow(c)), windows.at(-1) as FakeWindow), windowClosed: (id) => board.windowClosed(id) });
    board.attach(host);
    assert.equal(windows.length, 1);
    host.openPrompt(approval('early'));
    assert.equal(windows.length, 1);
    assert.deepEqual(windows[0]?.calls, ['show', 'focus']);
    board.windowClosed('early');
  });
});

describe('Electron window host: warm windows', () => {
  function warmSetup() {
    const board = new PromptBoard();
    const cold: FakeWindow[] = [];
    const warm: FakeWindow[] = [];
    const tasks: Array<() => void> = [];
    const host = new ElectronWindowHost({
      openWindow: (context) => (cold.push(new FakeWindow(context)), cold.at(-1) as FakeWindow),
      warmWindow: (kind) => (warm.push(new FakeWindow({ kind, warm: true })), warm.at(-1) as FakeWindow),
      schedule: (task) => tasks.push(task),
      windowClosed: (id) => board.windowClosed(id),
    });
    board.attach(host);
    const runScheduled = (): void => tasks.splice(0).forEach((task) => task());
    return { board, host, cold, warm, tasks, runScheduled };
  }

  it('an idle app keeps no warm window; after the first prompt of a kind one is pre-loaded, and the next prompt gets it', async () => {
    const { board, host, cold, warm, tasks, runScheduled } = warmSetup();
    assert.equal(tasks.length, 0);
    const first = board.approve(approval('p1'), new AbortController().signal);
    assert.equal(cold.length, 1);
    assert.deepEqual(host.warmKinds(), []);
    runScheduled();
    assert.deepEqual(host.warmKinds(), ['approval']);
    assert.deepEqual(warm[0]?.context, { kind: 'approval', warm: true });
    board.answerApproval('p1', 'allow');
    await first;
    void board.approve(approval('p2'), new AbortController().signal);
    assert.equal(cold.length, 1, 'no new cold window');
    assert.deepEqual(warm[0]?.calls, ['assign p2 github']);
    assert.deepEqual(warm[0]?.context, { kind: 'approval', promptId: 'p2' });
    assert.deepEqual(host.openPromptIds(), ['p2']);
    runScheduled();
    assert.equal(warm.length, 2, 'the next one is pre-loaded');
    assert.deepEqual(host.warmKinds(), ['approval']);
    // Kinds are separate: an entry prompt does not take the approval window.
    void board.enter(entry('p3'), new AbortController().signal);
    assert.equal(cold.length, 2);
    assert.deepEqual(cold[1]?.context, { kind: 'entry', promptId: 'p3' });
    board.windowClosed('p2');
    board.windowClosed('p3');
  });

  it('closing semantics: a user-closed assigned window denies; a warm window that closes is just dropped; answered closes it', async () => {
    const { board, host, warm, runScheduled } = warmSetup();
    void board.approve(approval('p1'), new AbortController().signal);
    runScheduled();
    warm[0]?.userCloses();
    assert.deepEqual(host.warmKinds(), []);
    assert.deepEqual(board.list().map((p) => p.id), ['p1'], 'dropping a warm window answers nothing');
    board.answerApproval('p1', 'deny');
    const second = board.approve(approval('p2'), new AbortController().signal);
    runScheduled();
    const third = board.approve(approval('p3'), new AbortController().signal);
    assert.deepEqual(warm[1]?.context, { kind: 'approval', promptId: 'p3' });
    warm[1]?.userCloses();
    assert.equal(await third, 'deny');
    board.answerApproval('p2', 'allow');
    assert.equal(await second, 'allow');
    runScheduled();
    const fourth = board.approve(approval('p4'), new AbortController().signal);
    board.answerApproval('p4', 'allow_session');
    assert.equal(await fourth, 'allow_session');
    assert.deepEqual(warm[2]?.calls, ['assign p4 github', 'close']);
  });
});

describe('prompt notifier', () => {
  function notifier(appHasFocus: boolean, supported = true) {
    type Shown = { title: string; body: string; closed: boolean; click?: () => void; fail?: (event: unknown, error: string) => void };
    const shown: Shown[] = [];
    const focused: string[] = [];
    const logs: string[] = [];
    const n = new PromptNotifier({
      isSupported: () => supported,
      appHasFocus: () => appHasFocus,
      createNotification: (text) => {
        const record: Shown = { ...text, closed: false };
        const on = (event: 'click' | 'failed', listener: ((event: unknown, error: string) => void) | (() => void)): void => {
          if (event === 'click') record.click = listener as () => void;
          else record.fail = listener;
        };
        const notification: DesktopNotification = { show: () => shown.push(record), close: () => (record.closed = true), on };
        return notification;
      },
      focusPrompt: (id) => focused.push(id),
      log: (m) => logs.push(m),
    });
    return { n, shown, focused, logs };
  }

  it('notifies when Keyhold is in the background; a click focuses the prompt; the notification goes with the prompt', () => {
    const { n, shown, focused } = notifier(false);
    n.promptOpening(approval('p1'));
    assert.equal(shown.length, 1);
    assert.deepEqual({ title: shown[0]?.title, body: shown[0]?.body }, notificationText(approval('p1')));
    shown[0]?.click?.();
    assert.deepEqual(focused, ['p1']);
    n.promptGone('p1');
    assert.equal(shown[0]?.closed, true);
  });

  it('a notification that fails to show (unsigned macOS build) is logged, and no longer held', () => {
    const { n, shown, logs } = notifier(false);
    n.promptOpening(approval('p1'));
    shown[0]?.fail?.({}, 'not authorised');
    assert.deepEqual(logs, ['the desktop notification for the approval prompt could not be shown (not authorised); its window is open']);
    n.promptGone('p1');
    assert.equal(shown[0]?.closed, false, 'nothing to close');
  });

  it('stays quiet when a Keyhold window has focus or notifications are unsupported', () => {
    const focusedApp = notifier(true);
    focusedApp.n.promptOpening(approval('p1'));
    assert.equal(focusedApp.shown.length, 0);
    const unsupported = notifier(false, false);
    unsupported.n.promptOpening(approval('p1'));
    assert.equal(unsupported.shown.length, 0);
  });

  it('names server, secret names and code — the text has no room for a value', () => {
    assert.deepEqual(notificationText(approval('p1')), {
      title: 'github wants to use token',
      body: 'Verification code ABCD-EFGH. Click to open the Keyhold window.',
    });
    assert.equal(notificationText(entry('p2')).title, 'slack asks you to enter bot_token');
    const many = { ...approval('p3'), names: ['a', 'b', 'c', 'd', 'e'] };
    assert.equal(notificationText(many).title, 'github wants to use a, b, c and 2 more');
  });
});

describe('manager window', () => {
  it('opens one manager; opening again focuses it; after it closes a new one opens', () => {
    const opened: FakeWindow[] = [];
    const manager = new ManagerWindowController((context) => {
      const w = new FakeWindow(context);
      opened.push(w);
      return w;
    });
    manager.open();
    manager.open();
    assert.equal(opened.length, 1);
    assert.deepEqual(opened[0]?.calls, ['show', 'focus']);
    assert.equal(manager.isOpen, true);
    opened[0]?.userCloses();
    assert.equal(manager.isOpen, false);
    manager.open();
    assert.equal(opened.length, 2);
    assert.deepEqual(opened[1]?.context, { kind: 'manager' });
  });

  it('a second launch while the desktop refuses focus: the manager flashes until it gets focus; macOS activates the app first', () => {
    const opened: FakeWindow[] = [];
    let activations = 0;
    const manager = new ManagerWindowController(
      (context) => {
        const w = new FakeWindow(context);
        w.focusAllowed = false;
        opened.push(w);
        return w;
      },
      () => activations++,
    );
    manager.open();
    manager.open();
    assert.equal(activations, 1);
    assert.deepEqual(opened[0]?.calls, ['show', 'focus', 'flash true']);
    const window = opened[0];
    assert.ok(window);
    window.focusAllowed = true;
    window.focus();
    assert.deepEqual(window.calls.slice(-2), ['focus', 'flash false']);
  });
});
