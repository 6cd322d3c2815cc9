import assert from 'node:assert/strict';
import { lstat, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { RULES_FILE_NAME, RuleStore } from '../../src/main/core/rules.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('always-allow rules', () => {
  it('rule_covers_other_secret: cover exactly their server and name, persist, and are removed by id or by secret', async () => {
    const dir = await makeTempDir();
    const rules = await RuleStore.open(dir.path, () => 7);
    const rule = await rules.add('github', 'token');
    assert.equal((await rules.add('github', 'token')).id, rule.id, 'adding twice keeps one rule');
    await rules.add('github', 'user');
    assert.equal(rules.covers('github', ['token']), true);
    assert.equal(rules.covers('github', ['token', 'user']), true);
    assert.equal(rules.covers('github', ['token', 'other']), false);
    assert.equal(rules.covers('gitlab', ['token']), false);
    assert.equal(rules.covers('github', []), false, 'an empty ask is not "covered"');
    const reopened = await RuleStore.open(dir.path);
    assert.equal(reopened.list().length, 2);
    await reopened.remove(rule.id);
    await reopened.removeFor('github', 'user');
    assert.deepEqual(reopened.list(), []);
    assert.match(await readFile(join(dir.path, RULES_FILE_NAME), 'utf8'), /"rules": \[\]/);
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
    assert.equal(rules.covers('github', ['token']), false, 'the linked rule is not loaded');
    assert.equal((await readdir(dir.path)).filter((name) => name.startsWith(`${RULES_FILE_NAME}.unreadable-`)).length, 1, 'the link is moved aside');
    await rules.add('gitlab', 'token');
    assert.equal(await readFile(planted, 'utf8'), plantedText, 'the link target is untouched');
    assert.ok((await lstat(join(dir.path, RULES_FILE_NAME))).isFile());
    await dir.cleanup();
    await outside.cleanup();
  });

  it('an unreadable rules file is moved aside and no rule is assumed', async () => {
    const dir = await makeTempDir();
    const { writeFile, readdir } = await import('node:fs/promises');
    await writeFile(join(dir.path, RULES_FILE_NAME), '{"version":1,"rules":[{"server":"x"}]}');
    const rules = await RuleStore.open(dir.path);
    assert.deepEqual(rules.list(), []);
    assert.ok((await readdir(dir.path)).some((f) => f.startsWith(`${RULES_FILE_NAME}.unreadable-`)));
    await dir.cleanup();
  });
});
