/**
 * Always-allow rules against real processes and the real core: a rule is
 * bound to the verified identity of the process it was made for (node +
 * its script + the client that started it), and anything else that says
 * hello under the rule's server name gets the approval window — which says
 * why the rule did not apply — instead of the value.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, it } from 'node:test';

import { startCore, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import { MemoryKeychain } from '../../src/main/core/memory-keychain.js';
import type { ProcFs } from '../../src/main/core/proc-fs.js';
import type { ApprovalPrompt } from '../../src/main/core/prompter.js';
import { MANAGER } from '../../src/main/core/secret-changes.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const CLIENT = fileURLToPath(new URL('../fixtures/identity/hello-client.mjs', import.meta.url));
const PY_CLIENT = fileURLToPath(new URL('../fixtures/identity/ws_client.py', import.meta.url));
const WS_MODULE = fileURLToPath(new URL('../../node_modules/ws/index.js', import.meta.url));
const SERVER = 'github';
const VALUE = 'ghp_rule_covered_value';

interface Reply {
  readonly ok: boolean;
  readonly result?: { values: Record<string, string> };
  readonly error?: { code: string };
}

/** Runs a client process to the end and returns the reply frame it printed. */
function run(command: string, args: readonly string[]): Promise<Reply> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, KEYHOLD_TEST_WS: WS_MODULE } });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (line === '') reject(new Error(`${command} exited ${code} without a reply`));
      else resolve(JSON.parse(line) as Reply);
    });
  });
}

describe('always-allow rules bound to the verified process', { skip: process.platform !== 'linux' ? 'needs /proc (Linux)' : false }, () => {
  let core: KeyholdCore;
  let prompter: ScriptedPrompter;
  let cleanup: () => Promise<void>;
  let dir: string;
  const node = (script: string, claimed = 'self') => run(process.execPath, [script, core.url, core.token, SERVER, claimed]);
  const approvalsSince = (count: number) => prompter.shown.slice(count).map((s) => s.prompt as ApprovalPrompt);

  before(async () => {
    const temp = await makeTempDir();
    dir = temp.path;
    cleanup = temp.cleanup;
    prompter = new ScriptedPrompter(() => ({ approval: 'deny' }));
    core = await startCore({ dataDir: dir, prompter, appVersion: 'test', keychain: new MemoryKeychain(), writeDiscoveryFile: false });
    await core.vault.put(SERVER, { token: VALUE });
    // The user allows the real server once; then makes "Always allow" from the process that read it.
    prompter.answer({ approval: 'allow' });
    assert.equal((await node(CLIENT)).result?.values.token, VALUE);
    const reader = core.changes.lastReader(SERVER, 'token');
    assert.ok(reader !== undefined, 'the verified reader is remembered');
    assert.equal(reader.identity.script, CLIENT);
    await core.changes.addRule(SERVER, 'token', reader.identity, MANAGER);
  });
  beforeEach(() => {
    prompter.shown.length = 0;
  });
  after(async () => {
    await core.stop();
    await cleanup();
  });

  it('the process the rule was made for reads without a prompt', async () => {
    assert.equal((await node(CLIENT)).result?.values.token, VALUE);
    assert.equal(prompter.shown.length, 0);
    const line = (await core.activity.read({ limit: 5 })).find((entry) => entry.action === 'allowed_by_rule');
    assert.match(line?.identity ?? '', /^node .*hello-client\.mjs, started by a terminal$/);
  });

  it('rule_spoofed_server_name: python3 saying hello as the rule\'s server gets a prompt naming the other program, not the value', async () => {
    const reply = await run('python3', [PY_CLIENT, core.url, core.token, SERVER, 'self']);
    assert.equal(reply.ok, false);
    assert.equal(reply.error?.code, 'denied');
    const [prompt] = approvalsSince(0);
    assert.match(prompt?.ruleNote ?? '', /made for another process: program \/\S*python3\S* instead of \S*node; script \S*ws_client\.py instead of \S*hello-client\.mjs/);
  });

  it('rule_spoofed_server_name: the same program running another script gets a prompt naming the script', async () => {
    const copy = join(dir, 'hello-client.mjs');
    await copyFile(CLIENT, copy);
    const reply = await node(copy);
    assert.equal(reply.error?.code, 'denied');
    assert.match(approvalsSince(0)[0]?.ruleNote ?? '', /script \S*\/hello-client\.mjs instead of \S*fixtures\/identity\/hello-client\.mjs/);
  });

  it('rule_claimed_pid_1: the rule\'s own script claiming pid 1 gets a prompt, not the value', async () => {
    const reply = await node(CLIENT, '1');
    assert.equal(reply.error?.code, 'denied');
    const prompt = approvalsSince(0)[0];
    assert.equal(prompt?.process.claimedPid, 1);
    assert.match(prompt?.ruleNote ?? '', /claimed another pid than the one holding the connection/);
  });

  it('borrowed_socket_identity: python3 opens the socket, hands it to a node child running the rule\'s script and claims the child: shared, unverified, no rule', async () => {
    const reply = await run('python3', [PY_CLIENT, core.url, core.token, SERVER, 'borrow', process.execPath, CLIENT]);
    assert.equal(reply.error?.code, 'denied');
    const prompt = approvalsSince(0)[0];
    assert.equal(prompt?.process.verified, false, 'never shown as verified');
    assert.equal(prompt?.process.unverifiedReason, 'shared_socket');
    assert.equal(prompt?.process.holders?.length, 2);
    assert.ok(prompt?.process.holders?.some((h) => /python3/.test(h.executable ?? '')), 'the python holder is named');
    assert.match(prompt?.ruleNote ?? '', /shared by more than one process/);
  });
});

describe('rule_identity_unverifiable_prompts', () => {
  it('where /proc cannot be read, a rule never applies silently: the window opens and says why', async () => {
    const temp = await makeTempDir();
    const unreadable: ProcFs = {
      readdir: () => Promise.reject(new Error('EACCES')),
      readlink: () => Promise.reject(new Error('EACCES')),
      readFile: () => Promise.reject(new Error('EACCES')),
      realpath: () => Promise.reject(new Error('EACCES')),
    };
    const prompter = new ScriptedPrompter(() => ({ approval: 'deny' }));
    const core = await startCore({ dataDir: temp.path, prompter, appVersion: 'test', keychain: new MemoryKeychain(), writeDiscoveryFile: false, procFs: unreadable });
    try {
      await core.vault.put(SERVER, { token: VALUE });
      await core.rules.add(SERVER, 'token', { executable: process.execPath, script: CLIENT, client: { kind: 'terminal', executable: '/usr/bin/bash' } });
      const reply = await run(process.execPath, [CLIENT, core.url, core.token, SERVER, 'self']);
      assert.equal(reply.error?.code, 'denied');
      const prompt = prompter.shown[0]?.prompt as ApprovalPrompt | undefined;
      assert.equal(prompt?.process.verified, false);
      assert.match(prompt?.ruleNote ?? '', /does not apply: Keyhold could not read \/proc/);
    } finally {
      await core.stop();
      await temp.cleanup();
    }
  });
});
