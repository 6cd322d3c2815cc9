import assert from 'node:assert/strict';
import { lstat, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import type { ProcessInfo } from '../../src/main/core/prompter.js';
import { RULES_FILE_NAME, RuleStore } from '../../src/main/core/rules.js';
import type { ProcessIdentity } from '../../src/shared/process-identity.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const GITHUB: ProcessIdentity = {
  executable: '/usr/bin/node',
  script: '/opt/mcp/server-github/dist/index.js',
  client: { kind: 'claude', executable: '/opt/Claude/claude' },
};
const verified = (identity: ProcessIdentity): ProcessInfo => ({ claimedPid: 10, pid: 10, verified: true, executable: identity.executable, identity });

describe('always-allow rules', () => {
  it('rule_covers_other_secret: cover exactly their server and name, persist, and are removed by id or by secret', async () => {
    const dir = await makeTempDir();
    const rules = await RuleStore.open(dir.path, () => 7);
    const rule = await rules.add('github', 'token', GITHUB);
    assert.equal((await rules.add('github', 'token', GITHUB)).id, rule.id, 'adding twice keeps one rule');
    await rules.add('github', 'user', GITHUB);
    const me = verified(GITHUB);
    assert.equal(rules.match('github', ['token'], me).applies, true);
    assert.equal(rules.match('github', ['token', 'user'], me).applies, true);
    assert.deepEqual(rules.match('github', ['token', 'other'], me), { applies: false });
    assert.deepEqual(rules.match('gitlab', ['token'], me), { applies: false });
    assert.deepEqual(rules.match('github', [], me), { applies: false }, 'an empty ask is not "covered"');
    const reopened = await RuleStore.open(dir.path);
    assert.equal(reopened.list().length, 2);
    assert.deepEqual(reopened.list()[0]?.identity, GITHUB, 'the identity is saved with the rule');
    await reopened.remove(rule.id);
    await reopened.removeFor('github', 'user');
    assert.deepEqual(reopened.list(), []);
    assert.match(await readFile(join(dir.path, RULES_FILE_NAME), 'utf8'), /"rules": \[\]/);
    await dir.cleanup();
  });

  it('rule_other_identity: a rule applies only to its identity; the note says what differs', async () => {
    const dir = await makeTempDir();
    const rules = await RuleStore.open(dir.path);
    await rules.add('github', 'token', GITHUB);
    const other = { ...GITHUB, executable: '/usr/bin/python3.12', script: '/tmp/evil.py' };
    const match = rules.match('github', ['token'], verified(other));
    assert.equal(match.applies, false);
    assert.match(('note' in match && match.note) || '', /made for another process: program \/usr\/bin\/python3\.12 instead of \/usr\/bin\/node; script \/tmp\/evil\.py instead of/);
    const cursor = rules.match('github', ['token'], verified({ ...GITHUB, client: { kind: 'cursor', executable: '/opt/cursor/cursor' } }));
    assert.match(('note' in cursor && cursor.note) || '', /started by Cursor \(\/opt\/cursor\/cursor\) instead of Claude/);
    const preloaded = rules.match('github', ['token'], verified({ ...GITHUB, preloads: ['/tmp/hook.mjs'] }));
    assert.match(('note' in preloaded && preloaded.note) || '', /preloaded code \/tmp\/hook\.mjs instead of \(none\)/);
    const shared = rules.match('github', ['token'], { claimedPid: 5, pid: 5, verified: false, unverifiedReason: 'shared_socket' });
    assert.match(('note' in shared && shared.note) || '', /does not apply: the connection is shared by more than one process/);
    await dir.cleanup();
  });

  it('rules_v1_migration: rules of a version 1 file are kept, apply to no one, and say they need re-binding', async () => {
    const dir = await makeTempDir();
    const v1 = { version: 1, rules: [{ id: 'r1', server: 'github', name: 'token', createdAt: 5 }] };
    await writeFile(join(dir.path, RULES_FILE_NAME), JSON.stringify(v1));
    const rules = await RuleStore.open(dir.path);
    assert.deepEqual(rules.list(), v1.rules, 'nothing is lost');
    assert.equal(rules.has('github', 'token'), true);
    const match = rules.match('github', ['token'], verified(GITHUB));
    assert.equal(match.applies, false);
    assert.match(('note' in match && match.note) || '', /has no process identity yet .*re-bind it/);
    assert.equal(JSON.parse(await readFile(join(dir.path, RULES_FILE_NAME), 'utf8')).version, 1, 'the file is not rewritten just by reading it');
    const bound = await rules.add('github', 'token', GITHUB);
    assert.deepEqual(rules.list(), [bound], 'binding replaces the rule without identity');
    const saved = JSON.parse(await readFile(join(dir.path, RULES_FILE_NAME), 'utf8'));
    assert.equal(saved.version, 2);
    assert.equal(rules.match('github', ['token'], verified(GITHUB)).applies, true);
    await dir.cleanup();
  });

  it('json_store_symlink_planted: a rules.json that is a link is neither read nor written through', async () => {
    const dir = await makeTempDir();
    const outside = await makeTempDir('keyhold-outside-');
    const planted = join(outside.path, 'rules.json');
    const plantedText = JSON.stringify({ version: 1, rules: [{ id: 'x', server: 'github', name: 'token', createdAt: 1 }] });
    await writeFile(planted, plantedText);
    await symlink(planted, join(dir.path, RULES_FILE_NAME));
    const rules = await RuleStore.open(dir.path, () => 7);
    assert.equal(rules.has('github', 'token'), false, 'the linked rule is not loaded');
    assert.equal((await readdir(dir.path)).filter((name) => name.startsWith(`${RULES_FILE_NAME}.unreadable-`)).length, 1, 'the link is moved aside');
    await rules.add('gitlab', 'token', GITHUB);
    assert.equal(await readFile(planted, 'utf8'), plantedText, 'the link target is untouched');
    assert.ok((await lstat(join(dir.path, RULES_FILE_NAME))).isFile());
    await dir.cleanup();
    await outside.cleanup();
  });

  it('an unreadable rules file is moved aside and no rule is assumed', async () => {
    const dir = await makeTempDir();
    await writeFile(join(dir.path, RULES_FILE_NAME), '{"version":1,"rules":[{"server":"x"}]}');
    const rules = await RuleStore.open(dir.path);
    assert.deepEqual(rules.list(), []);
    assert.ok((await readdir(dir.path)).some((f) => f.startsWith(`${RULES_FILE_NAME}.unreadable-`)));
    await dir.cleanup();
  });
});
