/**
 * `keyhold rules ls|add|rm` against the real core: a rule is added or removed
 * only after an approval that names the rule and the process (the threat
 * rules_cli_requires_approval: no session grant, no existing rule, no bridge
 * message skips it), and the process comes from what the app verified, never
 * from the command line.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, it } from 'node:test';

import { KeyholdClient, isKeyholdError } from '../../src/bridge/index.js';
import { startCore, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import { MemoryKeychain } from '../../src/main/core/memory-keychain.js';
import type { ApprovalPrompt } from '../../src/main/core/prompter.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const SERVER = 'github';
const THIS_FILE = fileURLToPath(import.meta.url);

describe('rules_cli_requires_approval', { skip: process.platform !== 'linux' ? 'needs /proc (Linux) for verified processes' : false }, () => {
  let core: KeyholdCore;
  let prompter: ScriptedPrompter;
  let dir: { path: string; cleanup: () => Promise<void> };
  let env: Record<string, string>;
  let server: KeyholdClient;
  const approvals = (): ApprovalPrompt[] => prompter.shown.map((s) => s.prompt).filter((p): p is ApprovalPrompt => p.kind === 'approval');

  before(async () => {
    dir = await makeTempDir('keyhold-cli-rules-');
    prompter = new ScriptedPrompter(() => ({ approval: 'deny' }));
    core = await startCore({ dataDir: dir.path, prompter, appVersion: 'test', keychain: new MemoryKeychain() });
    env = { KEYHOLD_HOME: dir.path };
    await core.vault.put(SERVER, { token: 'ghp_value' });
    // The MCP server runs and reads its secret once, with a session grant.
    server = new KeyholdClient({ server: { name: SERVER }, url: core.url, token: core.token });
    prompter.answer({ approval: 'allow_session' });
    await server.get(['token']);
  });
  beforeEach(() => {
    prompter.shown.length = 0;
  });
  after(async () => {
    await server.close();
    await core.stop();
    await dir.cleanup();
  });

  it('ls with no rules says so', async () => {
    const run = await runCli(['rules', 'ls'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /No always-allow rules/);
  });

  it('add asks first, naming the rule and the verified process; denied → no rule', async () => {
    const run = await runCli(['rules', 'add', `${SERVER}/token`], env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /denied/);
    const [prompt] = approvals();
    assert.equal(prompt?.action, 'always_allow');
    assert.deepEqual(prompt?.names, ['token']);
    assert.equal(prompt?.ruleIdentity?.script, THIS_FILE, 'the process is the running server, as the app verified it');
    assert.deepEqual(core.rules.list(), []);
  });

  it('add allowed → a rule bound to that process; ls shows it; adding again still asks', async () => {
    prompter.answer({ approval: 'allow' });
    const added = await runCli(['rules', 'add', `${SERVER}/token`, '--last-reader'], env);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(core.rules.list()[0]?.identity?.script, THIS_FILE);
    const ls = await runCli(['rules', 'ls'], env);
    assert.match(ls.stdout, new RegExp(`${SERVER}/token  node .*cli-rules\\.test\\.ts.*, started by `));
    const again = await runCli(['rules', 'add', `${SERVER}/token`], env);
    assert.equal(again.code, 1, 'an existing rule does not skip the question');
    assert.equal(approvals().length, 2);
  });

  it('a bridge message alone never adds a rule: the server, with a grant and a rule, still gets the window', async () => {
    const [candidate] = await server.ruleCandidates('token');
    assert.ok(candidate !== undefined, 'the last verified reader is offered');
    await assert.rejects(server.addRule('token', candidate.key), (e) => isKeyholdError(e, 'denied'));
    assert.equal(approvals()[0]?.action, 'always_allow');
    await assert.rejects(server.addRule('token', 'made-up-candidate'), (e) => isKeyholdError(e, 'not_found'), 'no identity a client invents');
  });

  it('rm asks first; denied keeps the rule, allowed removes it', async () => {
    assert.equal((await runCli(['rules', 'rm', `${SERVER}/token`], env)).code, 1);
    assert.equal(approvals()[0]?.action, 'remove_rule');
    assert.equal(core.rules.list().length, 1);
    prompter.answer({ approval: 'allow' });
    const removed = await runCli(['rules', 'rm', `${SERVER}/token`], env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(core.rules.list(), []);
    const log = (await core.activity.read({ limit: 20 })).map((e) => e.action);
    assert.ok(log.includes('rule_added') && log.includes('rule_removed'));
  });

  it('usage errors: no action, both choices, an unknown pid', async () => {
    assert.equal((await runCli(['rules'], env)).code, 2);
    assert.equal((await runCli(['rules', 'add', `${SERVER}/token`, '--pid', '1', '--last-reader'], env)).code, 2);
    const none = await runCli(['rules', 'add', `${SERVER}/token`, '--pid', '999999'], env);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /choose the process with --pid/);
    assert.equal(approvals().length, 0, 'nothing was asked');
  });
});
