import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parse as parseToml } from 'smol-toml';

import { applyEdits } from '../../src/main/cli/import/config-entry.js';
import { JSONC_SYNTAX, jsoncEntries, parseJsoncTree } from '../../src/main/cli/import/jsonc-entries.js';
import { parseTomlStatements, TOML_SYNTAX, tomlEntries } from '../../src/main/cli/import/toml-entries.js';
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

describe('import plan on Windows (Keyhold.exe in Node mode)', () => {
  const windows = { command: 'C:\\Keyhold\\Keyhold.exe', args: ['C:\\Keyhold\\resources\\cli\\keyhold.mjs'], env: { ELECTRON_RUN_AS_NODE: '1' } };

  it('JSON: adds ELECTRON_RUN_AS_NODE to the env object, and undo takes it away', () => {
    const text = '{"mcpServers": {"s": {"command": "x", "env": {\n  "API_KEY": "abc"\n}}}}';
    const [entry] = jsoncEntries(parseJsoncTree(text, 'x.json'), [['mcpServers']]);
    assert.ok(entry !== undefined);
    const plan = planServer(entry, windows);
    const secrets = plan.verdict.kind === 'import' ? plan.verdict.secrets : [];
    const edits = rewriteEdits(plan, secrets, windows, JSONC_SYNTAX, text);
    const next = JSON.parse(applyEdits(text, edits)) as { mcpServers: { s: { command: string; args: string[]; env: Record<string, string> } } };
    assert.equal(next.mcpServers.s.command, 'C:\\Keyhold\\Keyhold.exe');
    assert.deepEqual(next.mcpServers.s.args, ['C:\\Keyhold\\resources\\cli\\keyhold.mjs', 'run', '--server', 's', '--', 'x']);
    assert.deepEqual(next.mcpServers.s.env, { ELECTRON_RUN_AS_NODE: '1', API_KEY: 'keyhold://s/API_KEY' });
    const undo = undoEntry(plan, secrets, edits, JSONC_SYNTAX, text);
    assert.equal(fillTemplate(undo.template, ['abc'], JSONC_SYNTAX), text.slice(entry.span.start, entry.span.end));
  });

  for (const [form, toml] of [
    ['an inline table', '[mcp_servers.s]\ncommand = "x"\nenv = { API_KEY = "abc" }\n'],
    ['an [env] table', '[mcp_servers.s]\ncommand = "x"\n[mcp_servers.s.env]\nAPI_KEY = "abc"\n'],
    ['dotted keys', '[mcp_servers.s]\ncommand = "x"\nenv.API_KEY = "abc"\n'],
  ] as const) {
    it(`TOML, env as ${form}: adds ELECTRON_RUN_AS_NODE`, () => {
      const [entry] = tomlEntries(parseTomlStatements(toml, 'c.toml'), toml.length, 'c.toml');
      assert.ok(entry !== undefined);
      const plan = planServer(entry, windows);
      const secrets = plan.verdict.kind === 'import' ? plan.verdict.secrets : [];
      const next = parseToml(applyEdits(toml, rewriteEdits(plan, secrets, windows, TOML_SYNTAX, toml))) as { mcp_servers: { s: { command: string; env: Record<string, string> } } };
      assert.equal(next.mcp_servers.s.command, 'C:\\Keyhold\\Keyhold.exe');
      assert.deepEqual({ ...next.mcp_servers.s.env }, { ELECTRON_RUN_AS_NODE: '1', API_KEY: 'keyhold://s/API_KEY' });
    });
  }
});
