/**
 * TerminalPrompter approvals (test/helpers/terminal-prompter-harness.ts): what
 * the approval prompt shows and which keys answer it, the queue of prompts
 * (one at a time, aborts, close, input ending), and refusing every prompt
 * without a terminal.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KeyholdError } from '../../src/shared/keyhold-error.js';
import { approvalPrompt, entryPrompt, harness, isPending } from '../helpers/terminal-prompter-harness.js';

describe('TerminalPrompter approvals', () => {
  it('shows server, process, secret names, reason, tool, the verification code and the time left', async () => {
    const t = harness();
    const decision = t.prompter.approve(approvalPrompt(), new AbortController().signal);
    await t.waitFor('Your answer');
    const screen = t.screen();
    for (const expected of ['github 1.2.0', 'pid 4242', '/usr/bin/node', 'verified', 'node github-mcp/server.js', 'GITHUB_TOKEN', 'List your repositories', 'list_repos', 'Verification code:  ABCD-EFGH', 'Time left: 5m 00s', '[a] Allow once', '[s] Allow for this session', '[d] Deny']) {
      assert.ok(screen.includes(expected), `missing ${expected}`);
    }
    assert.ok(!screen.includes('unverified'));
    t.type('d');
    assert.equal(await decision, 'deny');
  });

  it('marks a process whose identity could not be read from the OS as unverified', async () => {
    const t = harness();
    const decision = t.prompter.approve(
      approvalPrompt({ process: { claimedPid: 99, pid: 99, verified: false } }),
      new AbortController().signal,
    );
    await t.waitFor('Your answer');
    assert.match(t.screen(), /pid 99 · unverified \(as claimed by the client\)/);
    t.type('d');
    await decision;
  });

  for (const [key, expected] of [
    ['a', 'allow'],
    ['A', 'allow'],
    ['s', 'allow_session'],
    ['d', 'deny'],
    ['\x1b', 'deny'],
    ['\x03', 'deny'],
  ] as const) {
    it(`answers ${JSON.stringify(key)} with ${expected}`, async () => {
      const t = harness();
      const decision = t.prompter.approve(approvalPrompt(), new AbortController().signal);
      await t.waitFor('Your answer');
      t.type(key);
      assert.equal(await decision, expected);
      assert.deepEqual(t.rawModes, [true, false], 'raw mode only while the prompt is on screen');
    });
  }

  it('prompt_answered_by_accident: never allows on Enter, and asks again on any key that is not a choice', async () => {
    const t = harness();
    const decision = t.prompter.approve(approvalPrompt(), new AbortController().signal);
    await t.waitFor('Your answer');
    t.type('\r');
    await t.waitFor('Enter does not answer');
    assert.ok(await isPending(decision), 'Enter must not answer the approval');
    t.type('\n');
    t.type('x');
    await t.waitFor('not a choice');
    t.type('y'); // "yes" is not a choice either
    assert.ok(await isPending(decision));
    t.type('s');
    assert.equal(await decision, 'allow_session');
  });

  it('drops keys typed before the prompt appeared (type-ahead guard)', async () => {
    let clock = 1_000;
    const t = harness({ guardMs: 300, now: () => clock });
    t.type('a'); // typed while nothing was asked: sits in the input buffer
    const decision = t.prompter.approve(approvalPrompt({ expiresAt: clock + 60_000 }), new AbortController().signal);
    await t.waitFor('Your answer');
    assert.ok(await isPending(decision), 'a buffered key must not answer a prompt the user has not seen');
    clock += 1_000;
    t.type('d');
    assert.equal(await decision, 'deny');
  });
});

describe('TerminalPrompter queue', () => {
  it('shows one prompt at a time, first come first served', async () => {
    const t = harness();
    const first = t.prompter.approve(approvalPrompt({ verificationCode: 'AAAA-AAAA' }), new AbortController().signal);
    const second = t.prompter.enter(entryPrompt({ verificationCode: 'BBBB-BBBB' }), new AbortController().signal);
    await t.waitFor('Your answer');
    assert.ok(t.screen().includes('AAAA-AAAA'));
    assert.ok(!t.screen().includes('Verification code:  BBBB-BBBB'), 'the second prompt waits its turn');
    assert.ok(t.screen().includes('1 more request is waiting'));
    const mark = t.screen().length;
    t.type('a');
    assert.equal(await first, 'allow');
    await t.waitFor('BBBB-BBBB', mark);
    await t.waitFor('API_KEY: ', mark);
    t.type('sk-123\r');
    assert.deepEqual(await second, { action: 'save', values: { API_KEY: 'sk-123' } });
  });

  it('closes the prompt on screen when its signal aborts, restores the terminal, and moves on', async () => {
    const t = harness();
    const timeout = new AbortController();
    const cancel = new AbortController();
    const first = t.prompter.approve(approvalPrompt({ verificationCode: 'TIME-OUT2' }), timeout.signal);
    const second = t.prompter.enter(entryPrompt({ verificationCode: 'CANC-ELED' }), cancel.signal);
    const third = t.prompter.approve(approvalPrompt({ verificationCode: 'NEXT-2345' }), new AbortController().signal);
    await t.waitFor('Your answer');
    timeout.abort(new KeyholdError('timeout', 'Nobody answered.'));
    assert.equal(await first, 'deny');
    await t.waitFor('request TIME-OUT2 closed (timed out)');
    await t.waitFor('API_KEY: ');
    t.type('half-typed');
    cancel.abort(new KeyholdError('cancelled', 'The client cancelled.'));
    assert.deepEqual(await second, { action: 'cancel' });
    await t.waitFor('request CANC-ELED closed (cancelled)');
    await t.waitFor('NEXT-2345');
    assert.ok(!t.screen().includes('half-typed'));
    t.type('a');
    assert.equal(await third, 'allow');
    assert.deepEqual(t.rawModes, [true, false, true, false, true, false]);
  });

  it('drops a queued prompt whose signal aborts before it is shown', async () => {
    const t = harness();
    const later = new AbortController();
    const first = t.prompter.approve(approvalPrompt({ verificationCode: 'AAAA-AAAA' }), new AbortController().signal);
    const second = t.prompter.approve(approvalPrompt({ verificationCode: 'GONE-GONE' }), later.signal);
    await t.waitFor('Your answer');
    later.abort(new KeyholdError('cancelled', 'The client went away.'));
    assert.equal(await second, 'deny');
    t.type('d');
    assert.equal(await first, 'deny');
    await t.waitFor('request GONE-GONE closed before it was shown (cancelled)');
    assert.ok(!t.screen().includes('Verification code:  GONE-GONE'));
  });

  it('answers queued prompts no on close()', async () => {
    const t = harness();
    const shown = new AbortController();
    const first = t.prompter.approve(approvalPrompt(), shown.signal);
    const queued = t.prompter.enter(entryPrompt(), new AbortController().signal);
    await t.waitFor('Your answer');
    t.prompter.close();
    assert.deepEqual(await queued, { action: 'cancel' });
    shown.abort(new KeyholdError('cancelled', 'Keyhold is shutting down.'));
    assert.equal(await first, 'deny');
    assert.equal(t.rawModes.at(-1), false);
  });

  it('denies when the terminal input ends mid-prompt, and refuses later prompts with a reason', async () => {
    const t = harness();
    const decision = t.prompter.approve(approvalPrompt(), new AbortController().signal);
    await t.waitFor('Your answer');
    t.input.end();
    assert.equal(await decision, 'deny');
    assert.deepEqual(await t.prompter.enter(entryPrompt(), new AbortController().signal), { action: 'cancel' });
    assert.match(t.screen(), /cancelled entry request WXYZ-2345 .*terminal input has closed/);
  });
});

describe('TerminalPrompter without a terminal', () => {
  it('refuses every prompt at once and says why, one line each', async () => {
    const t = harness({ tty: false });
    assert.equal(await t.prompter.approve(approvalPrompt(), new AbortController().signal), 'deny');
    assert.deepEqual(await t.prompter.enter(entryPrompt(), new AbortController().signal), { action: 'cancel' });
    const lines = t.screen().trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', /denied approval request ABCD-EFGH from github for GITHUB_TOKEN: no terminal is attached/);
    assert.match(lines[1] ?? '', /cancelled entry request WXYZ-2345 from weather for API_KEY: no terminal is attached/);
    assert.ok(lines.every((line) => line.includes('start `keyhold serve` in a terminal, or use the Keyhold desktop app')));
    assert.deepEqual(t.rawModes, []);
  });
});
