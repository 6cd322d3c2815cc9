import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PromptBoard, type WindowHost } from '../../src/main/core/prompt-board.js';
import type { ApprovalPrompt, EntryPrompt } from '../../src/main/core/prompter.js';

const base = { server: 'srv', process: { claimedPid: 1, pid: 1, verified: false }, verificationCode: 'ABCD-EFGH', expiresAt: 0 };
const approval = (id: string): ApprovalPrompt => ({ ...base, id, kind: 'approval', names: ['token'] });
const entry = (id: string): EntryPrompt => ({ ...base, id, kind: 'entry', fields: [{ name: 'token', label: 'Token', type: 'password', required: true }] });

class RecordingHost implements WindowHost {
  readonly events: string[] = [];
  openPrompt(prompt: { id: string }): void {
    this.events.push(`open ${prompt.id}`);
  }
  closePrompt(id: string): void {
    this.events.push(`close ${id}`);
  }
  focusPrompt(id: string): void {
    this.events.push(`focus ${id}`);
  }
}

describe('prompt board', () => {
  it('opens a window per prompt and closes it when answered', async () => {
    const board = new PromptBoard();
    const host = new RecordingHost();
    board.attach(host);
    const decision = board.approve(approval('p1'), new AbortController().signal);
    assert.equal(board.get('p1')?.kind, 'approval');
    assert.equal(board.answerApproval('p1', 'allow_session'), true);
    assert.equal(await decision, 'allow_session');
    assert.deepEqual(host.events, ['open p1', 'close p1']);
    assert.equal(board.get('p1'), undefined);
  });

  it('an answer of the wrong kind, or for a prompt that is gone, is refused', async () => {
    const board = new PromptBoard();
    const pending = board.enter(entry('e1'), new AbortController().signal);
    assert.equal(board.answerApproval('e1', 'allow'), false, 'an approval answer cannot settle an entry');
    assert.equal(board.answerEntry('nope', { action: 'cancel' }), false);
    board.answerEntry('e1', { action: 'save', values: { token: 'x' } });
    assert.deepEqual(await pending, { action: 'save', values: { token: 'x' } });
    assert.equal(board.answerEntry('e1', { action: 'cancel' }), false, 'a second answer changes nothing');
  });

  it('a window closed by the user means Deny / Cancel', async () => {
    const board = new PromptBoard();
    const a = board.approve(approval('a'), new AbortController().signal);
    const e = board.enter(entry('e'), new AbortController().signal);
    board.windowClosed('a');
    board.windowClosed('e');
    assert.equal(await a, 'deny');
    assert.deepEqual(await e, { action: 'cancel' });
  });

  it('an abort (timeout, client cancel) closes the window and rejects', async () => {
    const board = new PromptBoard();
    const host = new RecordingHost();
    board.attach(host);
    const controller = new AbortController();
    const pending = board.approve(approval('t'), controller.signal);
    controller.abort(new Error('timeout'));
    await assert.rejects(pending, /timeout/);
    assert.deepEqual(host.events, ['open t', 'close t']);
    assert.equal(board.answerApproval('t', 'allow'), false, 'too late to answer');
  });

  it('prompts raised before a host is attached open when it attaches; focus reaches the host', async () => {
    const board = new PromptBoard();
    const pending = board.approve(approval('early'), new AbortController().signal);
    const host = new RecordingHost();
    board.attach(host);
    board.focus('early');
    board.focus('unknown');
    assert.deepEqual(host.events, ['open early', 'focus early']);
    board.answerApproval('early', 'deny');
    await pending;
  });
});

describe('prompt board links', () => {
  it('deep_link_by_client_request_id: a request link finds its prompt by the app\'s prompt id only, never by a client\'s request id', async () => {
    const board = new PromptBoard();
    const signal = new AbortController().signal;
    const first = board.approve({ ...approval('p-old'), requestId: 'Req_1' }, signal);
    const second = board.approve({ ...approval('p-new'), requestId: 'Req_1' }, signal);
    assert.equal(board.findByLinkId('p-old')?.id, 'p-old');
    assert.equal(board.findByLinkId('p-new')?.id, 'p-new');
    assert.equal(board.findByLinkId('Req_1'), undefined, 'a client-chosen request id (another client may reuse it) names no window');
    assert.equal(board.findByLinkId('unknown'), undefined);
    board.answerApproval('p-old', 'deny');
    board.answerApproval('p-new', 'deny');
    await Promise.all([first, second]);
  });
});
