/**
 * The terminal prompter (`keyhold serve`) says what an approval is for: a
 * store or delete request is named as such, and offers no "Allow for session".
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';

import type { ApprovalPrompt } from '../../src/main/core/prompter.js';
import { TerminalPrompter } from '../../src/main/cli/terminal-prompter.js';

type FakeTty = PassThrough & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };

function setup(): { input: FakeTty; prompter: TerminalPrompter; screen: () => string; waitFor: (text: string) => Promise<void> } {
  const input: FakeTty = new PassThrough();
  input.isTTY = true;
  input.setRawMode = () => input;
  const output = new PassThrough();
  let screen = '';
  output.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
  const prompter = new TerminalPrompter({ input, output, inputGuardMs: 0, color: false });
  const waitFor = async (text: string): Promise<void> => {
    for (let i = 0; i < 200 && !screen.includes(text); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(screen.includes(text), `screen shows ${JSON.stringify(text)}:\n${screen}`);
  };
  return { input, prompter, screen: () => screen, waitFor };
}

function prompt(action: ApprovalPrompt['action']): ApprovalPrompt {
  return {
    kind: 'approval',
    id: `p-${action ?? 'read'}`,
    server: 'demo',
    serverVersion: 'via keyhold CLI 0.1.0',
    process: { claimedPid: 4242, pid: 4242, executable: '/usr/bin/node', commandLine: 'node keyhold.mjs set demo/token', verified: true },
    names: ['token'],
    verificationCode: 'ABCD-EFGH',
    expiresAt: Date.now() + 60_000,
    ...(action === undefined ? {} : { action }),
  };
}

describe('terminal prompter: approval actions', () => {
  for (const [action, word] of [['store', 'STORE'], ['delete', 'DELETE']] as const) {
    it(`${action}: says ${word} with server/name, offers a or d only ("s" is not a choice)`, async () => {
      const { input, prompter, screen, waitFor } = setup();
      const decision = prompter.approve(prompt(action), new AbortController().signal);
      await waitFor('Your answer:');
      assert.match(screen(), new RegExp(`request to ${word} secrets`));
      assert.match(screen(), new RegExp(`Wants to:  ${word} .*demo/token`));
      assert.ok(!screen().includes('Allow for this session'));
      input.write('s');
      await waitFor('not a choice');
      await waitFor('Press a or d');
      input.write('a');
      assert.equal(await decision, 'allow');
      assert.match(screen(), /a — allowed\.\n/);
      prompter.close();
    });
  }

  it('read (no action): the usual approval with Allow for session', async () => {
    const { input, prompter, screen, waitFor } = setup();
    const decision = prompter.approve(prompt(undefined), new AbortController().signal);
    await waitFor('Your answer:');
    assert.match(screen(), /Keyhold: approval request/);
    assert.ok(!screen().includes('Wants to:'));
    input.write('s');
    assert.equal(await decision, 'allow_session');
    prompter.close();
  });
});
