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

  it('always_allow (keyhold rules add in serve): says ADD AN ALWAYS-ALLOW RULE with the process it is for; no "s"', async () => {
    const { input, prompter, screen, waitFor } = setup();
    const ruleIdentity = { executable: '/usr/bin/node', script: '/opt/mcp/server-github/dist/index.js', client: { kind: 'claude' as const, executable: '/opt/Claude/claude' } };
    const decision = prompter.approve({ ...prompt('always_allow'), ruleIdentity }, new AbortController().signal);
    await waitFor('Your answer:');
    assert.match(screen(), /request to ADD AN ALWAYS-ALLOW RULE/);
    assert.match(screen().replace(/\s+/g, ' '), /ALWAYS GIVE demo\/token without asking to: node \/opt\/mcp\/server-github\/dist\/index\.js, started by Claude/);
    input.write('s');
    await waitFor('not a choice');
    input.write('d');
    assert.equal(await decision, 'deny');
    prompter.close();
  });

  it('a read whose rule did not apply shows why, and a shared connection is shown with its holders, unverified', async () => {
    const { input, prompter, screen, waitFor } = setup();
    const shared = {
      ...prompt(undefined),
      ruleNote: 'An always-allow rule covers demo/token, but it does not apply: the connection is shared by more than one process.',
      process: { claimedPid: 11, pid: 11, verified: false, unverifiedReason: 'shared_socket' as const, holders: [{ pid: 10, executable: '/usr/bin/python3.12' }, { pid: 11, executable: '/usr/bin/node' }] },
    };
    const decision = prompter.approve(shared, new AbortController().signal);
    await waitFor('Your answer:');
    assert.match(screen(), /Rule: {6}An always-allow rule covers demo\/token, but it does not apply/);
    assert.match(screen(), /UNVERIFIED \(shared connection\)/);
    assert.match(screen().replace(/\s+/g, ' '), /SHARED connection, held by pid 10 \/usr\/bin\/python3\.12, pid 11 \/usr\/bin\/node/);
    input.write('d');
    assert.equal(await decision, 'deny');
    prompter.close();
  });
});
