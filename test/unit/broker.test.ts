import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Broker } from '../../src/main/core/broker.js';
import type { ProcessInfo } from '../../src/main/core/prompter.js';
import { isKeyholdError } from '../../src/shared/keyhold-error.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';

const proc: ProcessInfo = { claimedPid: 1, pid: 1, verified: false };
const approval = (server: string) => ({ kind: 'approval' as const, server, process: proc, names: ['token'] });

describe('broker', () => {
  it('shows one prompt with a fresh code and deadline, and returns the answer', async () => {
    const prompter = new ScriptedPrompter().answer({ approval: 'allow_session' });
    const broker = new Broker({ prompter, timeoutMs: 5_000, now: () => 100 });
    const opened: string[] = [];
    const decision = await broker.approve(approval('github'), { onOpen: (p) => opened.push(p.verificationCode) });
    assert.equal(decision, 'allow_session');
    const shown = prompter.shown[0]?.prompt;
    assert.equal(shown?.expiresAt, 5_100);
    assert.deepEqual(opened, [shown?.verificationCode]);
  });

  it('queues prompts per server: one at a time, each with its own code', async () => {
    const prompter = new ScriptedPrompter();
    const broker = new Broker({ prompter });
    const first = broker.approve(approval('github'));
    const second = broker.approve(approval('github'));
    const other = broker.approve(approval('slack'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(prompter.shown.map((s) => s.prompt.server), ['github', 'slack'], 'the second github prompt waits; slack does not');
    prompter.answer({ approval: 'allow' }, { approval: 'deny' }, { approval: 'allow' });
    broker.close();
    await Promise.allSettled([first, second, other]);
  });

  it('prompt_flood: excess requests of one server get busy; another server still gets its prompt', async () => {
    const prompter = new ScriptedPrompter();
    const broker = new Broker({ prompter, maxQueuedPerServer: 2 });
    const flood = Array.from({ length: 5 }, () => broker.approve(approval('flood')));
    const results = await Promise.allSettled(flood.slice(3));
    for (const r of results) assert.ok(r.status === 'rejected' && isKeyholdError(r.reason, 'busy'));
    const other = broker.approve(approval('quiet'));
    const next = await prompter.nextPrompt(1);
    assert.equal(next.server, 'quiet');
    broker.close();
    await Promise.allSettled([...flood, other]);
  });

  it('times out with `timeout` and closes the prompt', async () => {
    const prompter = new ScriptedPrompter();
    const broker = new Broker({ prompter, timeoutMs: 30 });
    await assert.rejects(broker.approve(approval('x')), (e) => isKeyholdError(e, 'timeout'));
    assert.equal(prompter.shown[0]?.outcome, 'aborted');
  });

  it('a cancelled signal closes the prompt with `cancelled`, and the next queued prompt shows', async () => {
    const prompter = new ScriptedPrompter();
    const broker = new Broker({ prompter });
    const controller = new AbortController();
    const first = broker.approve(approval('x'), { signal: controller.signal });
    const second = broker.approve(approval('x'));
    await prompter.nextPrompt(0);
    prompter.answer({ approval: 'allow' });
    controller.abort();
    await assert.rejects(first, (e) => isKeyholdError(e, 'cancelled'));
    assert.equal(await second, 'allow');
    assert.equal(prompter.shown.length, 2);
  });

  it('a request cancelled while waiting never shows and frees its place in the queue', async () => {
    const prompter = new ScriptedPrompter();
    const broker = new Broker({ prompter, maxQueuedPerServer: 1 });
    const first = broker.approve(approval('x'));
    const controller = new AbortController();
    const waiting = broker.approve(approval('x'), { signal: controller.signal });
    controller.abort();
    await assert.rejects(waiting, (e) => isKeyholdError(e, 'cancelled'));
    const next = broker.approve(approval('x'));
    broker.close();
    await assert.rejects(first, (e) => isKeyholdError(e, 'cancelled'));
    await assert.rejects(next, (e) => isKeyholdError(e, 'cancelled'), 'queued (not busy): the cancelled request left the queue');
    assert.equal(prompter.shown.length, 1);
  });

  it('close() cancels showing prompts and refuses new ones', async () => {
    const prompter = new ScriptedPrompter();
    const broker = new Broker({ prompter });
    const pending = broker.approve(approval('x'));
    await prompter.nextPrompt(0);
    broker.close();
    await assert.rejects(pending, (e) => isKeyholdError(e, 'cancelled'));
    await assert.rejects(broker.approve(approval('x')), (e) => isKeyholdError(e, 'cancelled'));
  });

  it('focus reaches the prompter only for a prompt that is showing; linkState tells showing, ended and unknown apart', async () => {
    const prompter = new ScriptedPrompter();
    const broker = new Broker({ prompter });
    const pending = broker.approve(approval('x'));
    const prompt = await prompter.nextPrompt(0);
    assert.equal(broker.focus(prompt.id), true);
    assert.equal(broker.focus('nope'), false);
    assert.deepEqual(prompter.focused, [prompt.id]);
    assert.equal(broker.linkState(prompt.id), 'showing');
    broker.close();
    await pending.catch(() => undefined);
    assert.equal(broker.linkState(prompt.id), 'ended');
    assert.equal(broker.linkState('nope'), 'unknown');
  });
});
