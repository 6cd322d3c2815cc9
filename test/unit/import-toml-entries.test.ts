import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ConfigParseError } from '../../src/main/cli/import/config-entry.js';
import { parseTomlStatements, tomlEntries, tomlQuote } from '../../src/main/cli/import/toml-entries.js';

const entriesOf = (text: string) => tomlEntries(parseTomlStatements(text, 'config.toml'), text.length, 'config.toml');
const slice = (text: string, span: { start: number; end: number }): string => text.slice(span.start, span.end);

describe('Codex config.toml entries', () => {
  it('finds command, args and env in inline tables, dotted keys and an [.env] table, with the literal spans', () => {
    const text = `model = "o3"
[mcp_servers.a]
command = "npx" # c
args = [
  "-y", # the flag
  'pkg',
]
env = { TOKEN = "t\\u0041", OTHER = 'x' }

[mcp_servers.b]
command = 'node'
env.API_KEY = "k"

[mcp_servers.c]
command = "c"
[mcp_servers.c.env]
SECRET = """not rewritten"""
KEY = "v"

[profiles.x]
model = "m"
`;
    const [a, b, c] = entriesOf(text);
    assert.deepEqual(a?.args.map((arg) => arg.value), ['-y', 'pkg']);
    assert.equal(slice(text, a?.argsSpan ?? { start: 0, end: 0 }).split('\n').length, 4);
    assert.deepEqual(a?.env.map((e) => [e.name, e.field.value, slice(text, e.field.span)]), [['TOKEN', 'tA', '"t\\u0041"'], ['OTHER', 'x', "'x'"]]);
    assert.deepEqual(b?.env.map((e) => e.name), ['API_KEY']);
    assert.equal(b?.command?.value, 'node');
    assert.deepEqual(c?.env.map((e) => e.name), ['KEY'], 'multi-line strings are not offered for a rewrite');
    assert.ok(slice(text, c?.span ?? { start: 0, end: 0 }).startsWith('[mcp_servers.c]\n') && slice(text, c?.span ?? { start: 0, end: 0 }).endsWith('KEY = "v"\n\n'));
  });

  it('remote servers: url and http_headers', () => {
    const [docs] = entriesOf('[mcp_servers.docs]\nurl = "https://x"\nhttp_headers = { Authorization = "Bearer k" }\n');
    assert.equal(docs?.transport, 'remote');
    assert.deepEqual(docs?.headers.map((h) => h.name), ['Authorization']);
  });

  it('refuses a file that is not TOML, or a server in a form it would not rewrite correctly', () => {
    assert.throws(() => entriesOf('[mcp_servers.a\ncommand = "x"\n'), (e) => e instanceof ConfigParseError && /line 1, column \d+/.test(e.message));
    assert.throws(() => entriesOf('[mcp_servers]\na = { command = "x" }\n'), (e) => e instanceof ConfigParseError && /form keyhold import does not rewrite/.test(e.message));
    assert.throws(
      () => entriesOf('[mcp_servers.a]\ncommand = "x"\n[other]\n[mcp_servers.a.env]\nK = "v"\n'),
      (e) => e instanceof ConfigParseError && /"a"/.test(e.message),
      'an .env table away from its server',
    );
  });

  it('quotes values as TOML basic strings', () => {
    assert.equal(tomlQuote('a"b\\c\nd\u0001'), '"a\\"b\\\\c\\nd\\u0001"');
  });
});
