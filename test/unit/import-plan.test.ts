import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { applyEdits } from '../../src/main/cli/import/config-entry.js';
import { JSONC_SYNTAX, jsoncEntries, parseJsoncTree } from '../../src/main/cli/import/jsonc-entries.js';
import { fillTemplate, keyholdServerName, planServer, rewriteEdits, secretArgPositions, undoEntry } from '../../src/main/cli/import/import-plan.js';

const keyhold = { command: '/opt/keyhold', args: [] };

describe('import plan', () => {
  it('rewrites an entry without args by adding them after the command, and undo restores it byte for byte', () => {
    const text = '{\n  "mcpServers": { "my server": { "command": "tool", "env": { "API_KEY": "abc\\u0064" } } } // c\n}';
    const [entry] = jsoncEntries(parseJsoncTree(text, 'x.json'), [['mcpServers']]);
    assert.ok(entry !== undefined);
    const plan = planServer(entry, keyhold);
    assert.equal(plan.server, 'my-server');
    assert.equal(plan.verdict.kind, 'import');
    const secrets = plan.verdict.kind === 'import' ? plan.verdict.secrets : [];
    const edits = rewriteEdits(plan, secrets, keyhold, JSONC_SYNTAX, text);
    const next = applyEdits(text, edits);
    assert.equal(next, '{\n  "mcpServers": { "my server": { "command": "/opt/keyhold", "args": ["run", "--server", "my-server", "--", "tool"], "env": { "API_KEY": "keyhold://my-server/API_KEY" } } } // c\n}');
    const undo = undoEntry(plan, secrets, edits, JSONC_SYNTAX, text);
    assert.ok(!undo.template.includes('abcd') && !JSON.stringify(undo).includes('abcd'), 'no value in the undo record');
    assert.deepEqual(undo.holes, [{ name: 'API_KEY', canonical: false }], 'an escaped literal is marked: undo writes the standard form');
    assert.equal(fillTemplate(undo.template, ['abcd'], JSONC_SYNTAX), text.slice(entry.span.start, entry.span.end).replace('abc\\u0064', 'abcd'));
  });

  it('a server already wrapped by keyhold is left alone', () => {
    const text = '{"mcpServers": {"a": {"command": "/home/u/.local/bin/keyhold", "args": ["run", "--server", "a", "--", "x"], "env": {"API_KEY": "keyhold://a/API_KEY"}}}}';
    const [entry] = jsoncEntries(parseJsoncTree(text, 'x.json'), [['mcpServers']]);
    assert.equal(entry === undefined ? undefined : planServer(entry, keyhold).verdict.kind, 'already');
  });

  it('finds secrets in args: --flag=value, --flag value, or a credential alone', () => {
    assert.deepEqual(secretArgPositions(['--api-key', 'abc', '--token=xyz', 'ghp_0123456789abcdefgh', '--verbose', 'file.txt']), [1, 2, 3]);
  });

  it('server names become keychain-safe', () => {
    assert.equal(keyholdServerName('github'), 'github');
    assert.equal(keyholdServerName('@scope/server name'), 'scope-server-name');
    assert.equal(keyholdServerName('***'), 'server');
  });
});
