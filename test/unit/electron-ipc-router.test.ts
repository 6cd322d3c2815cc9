import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { PromptBoard } from '../../src/main/core/prompt-board.js';
import type { ApprovalPrompt, EntryPrompt } from '../../src/main/core/prompter.js';
import { createUiHandlers, type UiHandlerDeps, type WindowContext } from '../../src/main/core/ui-handlers.js';
import { createIpcRouter, REFUSED_SENDER_MESSAGE, type IpcMainLike, type SenderEvent, type SenderFrame } from '../../src/main/electron/ipc-router.js';
import { createRendererPages } from '../../src/main/electron/renderer-pages.js';
import { WindowRegistry } from '../../src/main/electron/window-registry.js';
import { eventChannel, invokeChannel, methodsOf, WINDOW_KINDS, type WindowKind } from '../../src/shared/ipc-contract.js';

/** Appears in payloads only: it must never show up in a log line or an error message. */
const MARKER = 'SECRET-VALUE-4f9c';

type Handler = (event: SenderEvent, ...args: unknown[]) => Promise<unknown>;

class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler): void {
    assert.equal(this.handlers.has(channel), false, `second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, event: SenderEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    assert.ok(handler, `no handler for ${channel}`);
    return handler(event, ...args);
  }
}

const pages = createRendererPages({ outDir: join('/app', 'out') });
const proc = { claimedPid: 42, pid: 42, verified: true };
const approvalPrompt = (id: string): ApprovalPrompt => ({
  kind: 'approval',
  id,
  server: 'github',
  process: proc,
  names: ['token'],
  verificationCode: 'ABCD-EFGH',
  expiresAt: Date.now() + 60_000,
});
const entryPrompt = (id: string): EntryPrompt => ({
  kind: 'entry',
  id,
  server: 'github',
  process: proc,
  fields: [{ name: 'token', label: 'Token', type: 'password', required: true }],
  verificationCode: 'JKLM-NPQR',
  expiresAt: Date.now() + 60_000,
});

function setup() {
  const ipc = new FakeIpcMain();
  const registry = new WindowRegistry();
  const board = new PromptBoard();
  const logs: string[] = [];
  const core = { activity: { append: () => Promise.resolve() } } as unknown as UiHandlerDeps['core'];
  const handlers = createUiHandlers({ core, board, loginItem: { get: () => false, set: () => undefined }, openExternal: async () => undefined, linkAllowlist: [] });
  const router = createIpcRouter({ ipcMain: ipc, registry, handlers, isOwnPage: pages.isOwnPage, log: (m) => logs.push(m) });
  let nextId = 1;
  const sent: Array<{ id: number; channel: string }> = [];
  /** Registers a window like the factory does and returns the invoke event its main frame would send. */
  const openWindow = (context: WindowContext): { event: SenderEvent; frame: SenderFrame; id: number } => {
    const id = nextId++;
    const frame: SenderFrame = { url: pages.pageUrl(context.kind), parent: null, processId: 7, routingId: id };
    registry.register({
      context,
      pageUrl: pages.pageUrl(context.kind),
      contents: { id, isDestroyed: () => false, send: (channel) => sent.push({ id, channel }) },
    });
    return { event: { sender: { id, mainFrame: frame }, senderFrame: frame }, frame, id };
  };
  return { ipc, registry, board, logs, router, openWindow, sent };
}

async function assertRejected(promise: Promise<unknown>, message: string | RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof Error);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    assert.equal(error.message.includes(MARKER), false, 'the error names no value');
    return true;
  });
}

function assertLogged(logs: string[], pattern: RegExp): void {
  assert.ok(logs.some((l) => pattern.test(l)), `no log line matching ${pattern}: ${JSON.stringify(logs)}`);
  for (const line of logs) assert.equal(line.includes(MARKER), false, `a log line carries the payload: ${line}`);
}

describe('IPC router', () => {
  it('handles exactly the contract: every window kind × method', () => {
    const { ipc } = setup();
    const expected = WINDOW_KINDS.flatMap((kind: WindowKind) => methodsOf(kind).map((m) => invokeChannel(kind, m)));
    assert.deepEqual([...ipc.handlers.keys()].sort(), expected.sort());
  });

  it('forged_sender: an unregistered webContents is rejected and logged, without its payload', async () => {
    const { ipc, logs } = setup();
    const frame: SenderFrame = { url: pages.pageUrl('manager'), parent: null, processId: 1, routingId: 1 };
    const channel = invokeChannel('manager', 'revealSecret');
    await assertRejected(ipc.invoke(channel, { sender: { id: 999, mainFrame: frame }, senderFrame: frame }, { server: 'github', name: MARKER }), REFUSED_SENDER_MESSAGE);
    assertLogged(logs, /^rejected IPC keyhold:manager\.revealSecret from an unregistered webContents \(999\)$/);
  });

  it('forged_sender: an unregistered webContents showing a Keyhold page is refused for that reason and never reaches the prompt', async () => {
    const { ipc, logs, openWindow, board } = setup();
    const pending = board.approve(approvalPrompt('p1'), new AbortController().signal);
    const { frame } = openWindow({ kind: 'approval', promptId: 'p1' });
    // Another webContents whose frame looks exactly like the real approval window's.
    const forged: SenderEvent = { sender: { id: 999, mainFrame: frame }, senderFrame: frame };
    await assertRejected(ipc.invoke(invokeChannel('approval', 'decide'), forged, { decision: 'allow' }), REFUSED_SENDER_MESSAGE);
    assert.deepEqual(logs, ['rejected IPC keyhold:approval.decide from an unregistered webContents (999)']);
    assert.deepEqual(board.list().map((p) => p.id), ['p1'], 'the prompt is still open, unanswered');
    board.windowClosed('p1');
    assert.equal(await pending, 'deny');
  });

  it('subframe_ipc: a subframe of a registered window is rejected', async () => {
    const { ipc, logs, openWindow } = setup();
    const { event, frame } = openWindow({ kind: 'manager' });
    const child: SenderFrame = { url: frame.url, parent: frame, processId: 7, routingId: 999 };
    await assertRejected(ipc.invoke(invokeChannel('manager', 'load'), { ...event, senderFrame: child }, {}), REFUSED_SENDER_MESSAGE);
    assertLogged(logs, /^rejected IPC keyhold:manager\.load from a subframe of manager window \d+$/);
  });

  it('a frame that is gone (navigated or destroyed) is rejected', async () => {
    const { ipc, logs, openWindow } = setup();
    const { event } = openWindow({ kind: 'manager' });
    await assertRejected(ipc.invoke(invokeChannel('manager', 'load'), { ...event, senderFrame: null }, {}), REFUSED_SENDER_MESSAGE);
    assertLogged(logs, /^rejected IPC keyhold:manager\.load from manager window \d+: its frame is gone/);
  });

  it('foreign_page_ipc: a main frame showing another URL (navigated away, or another window page) is rejected', async () => {
    const { ipc, logs, openWindow } = setup();
    const { event, frame } = openWindow({ kind: 'manager' });
    for (const url of ['https://evil.example/manager.html', 'file:///tmp/manager.html', pages.pageUrl('approval')]) {
      const moved = { ...frame, url };
      await assertRejected(ipc.invoke(invokeChannel('manager', 'load'), { sender: { id: event.sender.id, mainFrame: moved }, senderFrame: moved }, {}), REFUSED_SENDER_MESSAGE);
    }
    assertLogged(logs, /^rejected IPC keyhold:manager\.load from manager window \d+: its frame does not show the manager page$/);
    assert.equal(logs.length, 3);
  });

  it('the own page with a hash is still the own page', async () => {
    const { ipc, openWindow } = setup();
    const { event, frame } = openWindow({ kind: 'manager' });
    const hashed = { ...frame, url: `${frame.url}#/settings` };
    await assert.rejects(ipc.invoke(invokeChannel('manager', 'load'), { sender: { id: event.sender.id, mainFrame: hashed }, senderFrame: hashed }, {}), (e: Error) => e.message !== REFUSED_SENDER_MESSAGE);
  });

  it('cross_window_method: an approval window calling a manager method is rejected by dispatchUi and logged', async () => {
    const { ipc, logs, openWindow, board } = setup();
    const pending = board.approve(approvalPrompt('p1'), new AbortController().signal);
    const { event } = openWindow({ kind: 'approval', promptId: 'p1' });
    await assertRejected(ipc.invoke(invokeChannel('manager', 'revealSecret'), event, { server: 'github', name: 'token', note: MARKER }), /may not call manager\.revealSecret/);
    assertLogged(logs, /^rejected IPC keyhold:manager\.revealSecret from approval window \d+ \(prompt p1\): A approval window may not call manager\.revealSecret\.$/);
    board.windowClosed('p1');
    assert.equal(await pending, 'deny');
  });

  it('bad payloads are rejected with the contract error, and neither log nor error carries the value', async () => {
    const { ipc, logs, openWindow, board } = setup();
    const pending = board.enter(entryPrompt('e1'), new AbortController().signal);
    const { event } = openWindow({ kind: 'entry', promptId: 'e1' });
    const channel = invokeChannel('entry', 'submit');
    await assertRejected(ipc.invoke(channel, event, { values: { token: MARKER }, promptId: MARKER }), /^Bad payload for entry\.submit/);
    await assertRejected(ipc.invoke(channel, event, { values: { token: 12345 } }), /^Bad payload for entry\.submit: values\.token/);
    await assertRejected(ipc.invoke(channel, event, { values: { token: MARKER } }, MARKER), REFUSED_SENDER_MESSAGE);
    assertLogged(logs, /^rejected IPC keyhold:entry\.submit from entry window \d+ \(prompt e1\): Bad payload for entry\.submit/);
    assertLogged(logs, /expected one payload argument, got 2$/);
    board.windowClosed('e1');
    assert.deepEqual(await pending, { action: 'cancel' });
  });

  it('a good call reaches dispatchUi with the context from the registry: the window answers only its own prompt', async () => {
    const { ipc, logs, openWindow, board } = setup();
    const first = board.approve(approvalPrompt('p1'), new AbortController().signal);
    const second = board.approve(approvalPrompt('p2'), new AbortController().signal);
    const { event } = openWindow({ kind: 'approval', promptId: 'p1' });
    const view = (await ipc.invoke(invokeChannel('approval', 'load'), event, {})) as { promptId: string; verificationCode: string };
    assert.equal(view.promptId, 'p1');
    assert.equal(view.verificationCode, 'ABCD-EFGH');
    assert.deepEqual(await ipc.invoke(invokeChannel('approval', 'decide'), event, { decision: 'allow' }), {});
    assert.equal(await first, 'allow');
    assert.deepEqual(board.list().map((p) => p.id), ['p2'], 'the other prompt is untouched');
    await assertRejected(ipc.invoke(invokeChannel('approval', 'decide'), event, { decision: 'allow' }), /no longer open/);
    assert.deepEqual(logs.filter((l) => !l.includes('no longer open')), []);
    board.windowClosed('p2');
    assert.equal(await second, 'deny');
  });

  it('sendEvent reaches the windows of that kind only', () => {
    const { router, openWindow, sent } = setup();
    const manager = openWindow({ kind: 'manager' });
    openWindow({ kind: 'approval', promptId: 'p1' });
    router.sendEvent('manager', 'changed');
    assert.deepEqual(sent, [{ id: manager.id, channel: eventChannel('manager', 'changed') }]);
  });

  it('dispose removes every handler', () => {
    const { ipc, router } = setup();
    router.dispose();
    assert.equal(ipc.handlers.size, 0);
  });
});
