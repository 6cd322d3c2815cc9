import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
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
