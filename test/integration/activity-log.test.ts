/**
 * The activity log under the real core, over a real bridge connection, with
 * the real files and default budgets:
 *
 *  - audit_trail_flush: a client that sends 40,000 `secrets.delete` for
 *    made-up names (`not_found`, no window needed) must leave every decision
 *    the user made readable — in the files and in the manager's merged view.
 *    Before, each failure got its own line (the client picks the names, so no
 *    two were "the same"), 18 MB of them, and both files rotated the decisions away.
 *  - activity_log_symlink_planted: `activity.jsonl` (and its rotated file)
 *    planted as a symlink to a file outside the data dir is never written through.
 */
import assert from 'node:assert/strict';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { ACTIVITY_FILE_NAME, type ActivityEntry } from '../../src/main/core/activity-log.js';
import { startCore } from '../../src/main/core/keyhold-core.js';
import { MemoryKeychain } from '../../src/main/core/memory-keychain.js';
import { PromptBoard } from '../../src/main/core/prompt-board.js';
import { MANAGER } from '../../src/main/core/secret-changes.js';
import type { ProcessIdentity } from '../../src/shared/process-identity.js';
import { createUiHandlers, dispatchUi } from '../../src/main/core/ui-handlers.js';
import { RawBridgeClient } from '../helpers/raw-bridge-client.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** The process a manager-made rule is bound to (rules carry an identity). */
const RULE_IDENTITY: ProcessIdentity = { executable: '/usr/bin/node', script: '/opt/mcp/server-github/dist/index.js', client: { kind: 'terminal', executable: '/usr/bin/bash' } };

const FLOOD = 40_000;
/** In flight per connection (client-connection.ts MAX_IN_FLIGHT_PER_CONNECTION). */
const WAVE = 16;

async function decisionLines(dataDir: string): Promise<ActivityEntry[]> {
  const text = ['activity.1.jsonl', ACTIVITY_FILE_NAME].map((name) => readFile(join(dataDir, name), 'utf8').catch(() => ''));
  return (await Promise.all(text))
    .join('')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ActivityEntry);
}

describe('activity log against the real core', () => {
  it(`audit_trail_flush: ${FLOOD.toLocaleString('en')} client-chosen failures leave every user decision readable`, async () => {
    const dir = await makeTempDir('keyhold-audit-');
    const prompter = new ScriptedPrompter();
    const core = await startCore({ dataDir: dir.path, prompter, appVersion: 'test', keychain: new MemoryKeychain(), writeDiscoveryFile: false });
    try {
      // The user's decisions: a store allowed, a read allowed, a read denied, a rule added in the manager.
      const client = await RawBridgeClient.hello(core.url, core.token, 'github');
      prompter.answer({ approval: 'allow' }, { approval: 'allow' }, { approval: 'deny' });
      assert.equal((await client.call('secrets.put', { values: { token: 'ghp-value-1' } })).ok, true);
      assert.equal((await client.call('secrets.get', { names: ['token'] })).ok, true);
      assert.equal((await client.call('secrets.get', { names: ['token'] })).error?.code, 'denied');
      await core.changes.addRule('github', 'token', RULE_IDENTITY, MANAGER);
      await core.activity.flush();
      const decided = await decisionLines(dir.path);
      assert.deepEqual(
        decided.map((e) => `${e.action}${e.detail === undefined ? '' : `:${e.detail}`}`),
        ['allowed:store', 'stored', 'allowed', 'denied', 'rule_added'],
      );

      // The flood: made-up names, three per request, ~450 bytes a line had each got its own.
      const pad = 'x'.repeat(100);
      for (let sent = 0; sent < FLOOD; sent += WAVE) {
        const wave = Array.from({ length: WAVE }, (_unused, i) => {
          const n = sent + i;
          return client.call('secrets.delete', { names: [`a${n}${pad}`, `b${n}${pad}`, `c${n}${pad}`] });
        });
        for (const reply of await Promise.all(wave)) assert.equal(reply.error?.code, 'not_found');
      }
      client.close();
      await core.activity.flush();

      const after = await decisionLines(dir.path);
      for (const entry of decided) assert.ok(after.some((e) => e.time === entry.time && e.action === entry.action), `${entry.action} is still in the log`);

      const board = new PromptBoard();
      const handlers = createUiHandlers({ core, board, loginItem: { get: () => false, set: () => undefined }, openExternal: async () => undefined, linkAllowlist: [] });
      const rows = (await dispatchUi(handlers, { kind: 'manager' }, 'manager', 'activity', {})) as Array<{ time: number; action: string; detail?: string; names: string[] }>;
      const times = rows.map((row) => row.time);
      assert.deepEqual(times, [...times].sort((a, b) => b - a), 'the manager shows one history, newest first');
      for (const action of ['allowed', 'denied', 'stored', 'rule_added']) assert.ok(rows.some((row) => row.action === action), `the manager shows ${action}`);
      const failures = rows.filter((row) => row.action === 'error');
      // A first line stands for itself, a summary line for the repeats it counts.
      const counted = failures.reduce((sum, row) => sum + Number(/, (\d+) more/.exec(row.detail ?? '')?.[1] ?? 1), 0);
      assert.equal(counted, FLOOD, 'every failure is accounted for');
      assert.ok(failures.length < 100, `${failures.length} rows for ${FLOOD} failures`);
      const summary = failures.find((row) => row.detail?.includes('more'));
      assert.match(summary?.detail ?? '', /^not_found, \d+ more, \d+ names not listed$/);
    } finally {
      await core.stop();
      await dir.cleanup();
    }
  });

  it('activity_log_symlink_planted: links at activity.jsonl and activity.1.jsonl are never written through', async () => {
    const dir = await makeTempDir('keyhold-audit-link-');
    const outside = await makeTempDir('keyhold-outside-');
    const targets = [join(outside.path, 'bashrc'), join(outside.path, 'authorized_keys')];
    for (const target of targets) await writeFile(target, 'untouched\n');
    await symlink(targets[0] ?? '', join(dir.path, ACTIVITY_FILE_NAME));
    await symlink(targets[1] ?? '', join(dir.path, 'activity.1.jsonl'));
    const logged: string[] = [];
    const core = await startCore({ dataDir: dir.path, prompter: new ScriptedPrompter(), appVersion: 'test', keychain: new MemoryKeychain(), writeDiscoveryFile: false, log: (m) => logged.push(m) });
    try {
      await core.changes.add('github', 'token', 'ghp-value-2', MANAGER);
      await core.changes.addRule('github', 'token', RULE_IDENTITY, MANAGER);
      const entries = await core.activity.read();
      assert.deepEqual(entries.map((e) => e.action), ['rule_added', 'added'], 'the log goes on in a new file');
      for (const target of targets) assert.equal(await readFile(target, 'utf8'), 'untouched\n', `${target} was not written`);
      assert.ok(logged.some((m) => m.includes('was a symbolic link')), logged.join('\n'));
    } finally {
      await core.stop();
      await dir.cleanup();
      await outside.cleanup();
    }
  });
});
