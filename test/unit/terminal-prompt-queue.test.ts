/**
 * The terminal prompter's waiting line (terminal-prompt-queue.ts): prompts
 * that wait are listed by server and code, and Tab switches to the next one,
 * so one server's prompt on screen never holds up another's
 * (terminal_prompt_queue_starvation; against a real pty in serve-pty).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KeyholdError } from '../../src/shared/keyhold-error.js';
import { MAX_ANNOUNCED_ARRIVALS, MAX_LISTED_WAITING, waitingLines } from '../../src/main/cli/terminal-prompt-queue.js';
import { approvalPrompt, entryPrompt, harness, isPending } from '../helpers/terminal-prompter-harness.js';

const textField = { name: 'REGION', label: 'Region', type: 'text' as const, required: true };

describe('terminal prompt queue', () => {
  it('terminal_prompt_queue_starvation: a prompt that arrives is listed at once; Tab shows it and it is answered while the first waits', async () => {
    const t = harness();
    const first = t.prompter.approve(approvalPrompt({ server: 'slow-server', verificationCode: 'AAAA-AAAA' }), new AbortController().signal);
    await t.waitFor('Your answer');
    const second = t.prompter.enter(entryPrompt({ server: 'other-server', verificationCode: 'BBBB-BBBB' }), new AbortController().signal);
    await t.waitFor('New request waiting: other-server · entry · code BBBB-BBBB');
    assert.ok(!t.screen().includes('Verification code:  BBBB-BBBB'), 'listed, not yet shown');

    const mark = t.screen().length;
    t.type('\t');
    await t.waitFor('Switched: request AAAA-AAAA from slow-server waits, not answered.', mark);
    await t.waitFor('Verification code:  BBBB-BBBB', mark);
    await t.waitFor('slow-server · approval · code AAAA-AAAA', mark);
    await t.waitFor('API_KEY: ', mark);
    const back = t.screen().length;
    t.type('sk-other\r');
    assert.deepEqual(await second, { action: 'save', values: { API_KEY: 'sk-other' } });
    assert.ok(await isPending(first), 'switching answered nothing');

    await t.waitFor('Verification code:  AAAA-AAAA', back);
    await t.waitFor('Your answer', back);
    t.type('a');
    assert.equal(await first, 'allow');
  });

  it('lists every waiting prompt above the one shown, cycles with Tab, and counts past the list', async () => {
    const t = harness();
    const count = MAX_LISTED_WAITING + 3;
    const decisions = Array.from({ length: count }, (_v, i) =>
      t.prompter.approve(approvalPrompt({ server: `server-${i}`, verificationCode: `CODE-000${i}` }), new AbortController().signal),
    );
    await t.waitFor('Your answer');
    assert.ok(t.screen().includes(`Also waiting (${count - 1};`));
    for (let i = 1; i <= MAX_LISTED_WAITING; i++) assert.ok(t.screen().includes(`server-${i} · approval · code CODE-000${i}`));
    assert.ok(t.screen().includes('… and 2 more'));
    // Tab through all of them and back to the first: each is shown in turn.
    for (let i = 1; i <= count; i++) {
      const mark = t.screen().length;
      t.type('\t');
      await t.waitFor(`Verification code:  CODE-000${i % count}`, mark);
      await t.waitFor('Your answer', mark);
    }
    for (const [i, decision] of decisions.entries()) {
      t.type('d');
      assert.equal(await decision, 'deny', `prompt ${i}`);
      if (i < count - 1) await t.waitFor('Your answer', t.screen().lastIndexOf('d — denied.') + 1);
    }
  });

  it('Tab with nothing waiting answers nothing and types nothing', async () => {
    const t = harness();
    const approval = t.prompter.approve(approvalPrompt(), new AbortController().signal);
    await t.waitFor('Your answer');
    t.type('\t');
    await t.waitFor('(no other request is waiting.)');
    t.type('a');
    assert.equal(await approval, 'allow');
    const entry = t.prompter.enter(entryPrompt({ fields: [textField] }), new AbortController().signal);
    await t.waitFor('REGION: ');
    t.type('eu\twest\r');
    assert.deepEqual(await entry, { action: 'save', values: { REGION: 'euwest' } });
  });

  it('a prompt switched away from that closes while waiting is answered no, and the next goes on', async () => {
    const t = harness();
    const closing = new AbortController();
    const first = t.prompter.approve(approvalPrompt({ verificationCode: 'GONE-AWAY' }), closing.signal);
    await t.waitFor('Your answer');
    const second = t.prompter.approve(approvalPrompt({ verificationCode: 'STAY-HERE' }), new AbortController().signal);
    await t.waitFor('New request waiting');
    t.type('\t');
    await t.waitFor('Verification code:  STAY-HERE');
    closing.abort(new KeyholdError('cancelled', 'The client went away.'));
    assert.equal(await first, 'deny');
    t.type('a');
    assert.equal(await second, 'allow');
    await t.waitFor('request GONE-AWAY closed before it was shown (cancelled)');
  });

  it('an arrival while a visible value is typed writes the question and the typed text again; a hidden one stays hidden', async () => {
    const t = harness();
    const visible = t.prompter.enter(entryPrompt({ fields: [textField] }), new AbortController().signal);
    await t.waitFor('REGION: ');
    t.type('eu-');
    await t.waitFor('REGION: eu-');
    const mark = t.screen().length;
    const waiting = t.prompter.approve(approvalPrompt({ verificationCode: 'LATE-LATE' }), new AbortController().signal);
    await t.waitFor('LATE-LATE', mark);
    await t.waitFor('REGION: eu-', mark);
    t.type('west\r');
    assert.deepEqual(await visible, { action: 'save', values: { REGION: 'eu-west' } });
    await t.waitFor('Your answer');
    t.type('d');
    assert.equal(await waiting, 'deny');

    const hidden = t.prompter.enter(entryPrompt(), new AbortController().signal);
    await t.waitFor('API_KEY: ', t.screen().length);
    t.type('sk-hidden');
    const hiddenMark = t.screen().length;
    const late = t.prompter.approve(approvalPrompt({ verificationCode: 'MORE-MORE' }), new AbortController().signal);
    await t.waitFor('API_KEY: ', hiddenMark);
    t.type('\r');
    assert.deepEqual(await hidden, { action: 'save', values: { API_KEY: 'sk-hidden' } });
    assert.ok(!t.screen().includes('sk-hidden'));
    await t.waitFor('Your answer', hiddenMark);
    t.type('d');
    assert.equal(await late, 'deny');
  });

  it('keys typed right after a switch do not answer the prompt switched to (type-ahead guard)', async () => {
    let clock = 0;
    const t = harness({ guardMs: 300, now: () => clock });
    const first = t.prompter.approve(approvalPrompt({ verificationCode: 'ONE1-ONE1' }), new AbortController().signal);
    await t.waitFor('Your answer');
    const second = t.prompter.approve(approvalPrompt({ verificationCode: 'TWO2-TWO2' }), new AbortController().signal);
    clock += 1_000;
    t.type('\t');
    const mark = t.screen().length;
    await t.waitFor('Verification code:  TWO2-TWO2', mark);
    t.type('a');
    assert.ok(await isPending(second), 'a key within the guard after the switch is dropped');
    clock += 1_000;
    t.type('d');
    assert.equal(await second, 'deny');
    clock += 1_000;
    await t.waitFor('Verification code:  ONE1-ONE1', mark);
    clock += 1_000;
    t.type('d');
    assert.equal(await first, 'deny');
  });

  it('announces only the first arrivals while one prompt is on screen, then one line: the header cannot be scrolled away', async () => {
    const t = harness();
    const shown = t.prompter.approve(approvalPrompt({ verificationCode: 'SHOW-SHOW' }), new AbortController().signal);
    await t.waitFor('Your answer');
    const mark = t.screen().length;
    const core = new AbortController();
    const arrivals = Array.from({ length: 20 }, (_v, i) => t.prompter.approve(approvalPrompt({ server: `late-${i}`, verificationCode: `LATE-00${i}` }), core.signal));
    const printed = t.screen().slice(mark);
    assert.equal(printed.split('New request waiting').length - 1, MAX_ANNOUNCED_ARRIVALS);
    assert.equal(printed.split('More requests are waiting').length - 1, 1);
    assert.ok(printed.split('\n').length <= 2 * (MAX_ANNOUNCED_ARRIVALS + 1) + 1, `few lines printed under the prompt:\n${printed}`);
    t.type('d');
    assert.equal(await shown, 'deny');
    await t.waitFor('Also waiting (19;', mark);
    t.prompter.close();
    core.abort(new KeyholdError('cancelled', 'Keyhold is shutting down.'));
    for (const arrival of arrivals) assert.equal(await arrival, 'deny');
  });

  it('waitingLines lists nothing when nothing waits', () => {
    assert.deepEqual(waitingLines([], 0), []);
  });
});
