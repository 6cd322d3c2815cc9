/**
 * MCP server entries of Codex's config.toml: `[mcp_servers.<name>]` tables
 * with `command`, `args`, `env` (an inline table, `env.X = …` keys or an
 * `[mcp_servers.<name>.env]` table right after), or `url` + `http_headers`
 * for remote servers. The file is validated with smol-toml; toml-scan.ts finds
 * the offsets. As with JSONC, only the changed literals are replaced: comments,
 * order and every other key stay byte for byte.
 */
import { parse, TomlError } from 'smol-toml';

import { ConfigParseError, type ConfigSyntax, type EnvInsert, type NamedString, type ServerEntry, type Span, type StringField } from './config-entry.js';
import { scanToml, type TomlPair, type TomlStatement, type TomlValue } from './toml-scan.js';

const SERVERS = 'mcp_servers';

export function parseTomlStatements(text: string, path: string): TomlStatement[] {
  try {
    parse(text);
  } catch (error) {
    const where = error instanceof TomlError ? ` at line ${error.line}, column ${error.column}` : '';
    throw new ConfigParseError(`${path} is not valid TOML${where}; it was left untouched`);
  }
  try {
    return scanToml(text);
  } catch (error) {
    throw new ConfigParseError(`${path}: ${error instanceof Error ? error.message : String(error)}; it was left untouched`);
  }
}

export function tomlEntries(statements: readonly TomlStatement[], textLength: number, path: string): ServerEntry[] {
  const entries: ServerEntry[] = [];
  const claimed = new Set<TomlStatement>();
  statements.forEach((statement, index) => {
    if (statement.kind !== 'header' || statement.table.length !== 2 || statement.table[0] !== SERVERS) return;
    const name = statement.table[1] ?? '';
    let end = index + 1;
    while (end < statements.length && !isForeignHeader(statements[end], name)) end++;
    const region = statements.slice(index, end);
    for (const s of region) claimed.add(s);
    const next = statements[end];
    entries.push(entryOf(name, region, { start: statement.lineStart, end: next === undefined ? textLength : next.lineStart }));
  });
  const stray = statements.find((s) => !claimed.has(s) && fullPath(s)[0] === SERVERS && fullPath(s).length > 1);
  if (stray !== undefined) {
    throw new ConfigParseError(
      `${path}: the MCP server "${fullPath(stray)[1] ?? ''}" is written in a form keyhold import does not rewrite (only [${SERVERS}.<name>] tables, with their .env table right after); it was left untouched`,
    );
  }
  return entries;
}

function fullPath(statement: TomlStatement): string[] {
  return [...statement.table, ...(statement.pair?.key ?? [])];
}

function isForeignHeader(statement: TomlStatement | undefined, name: string): boolean {
  return statement?.kind === 'header' && !(statement.table[0] === SERVERS && statement.table[1] === name && statement.table.length > 2);
}

function entryOf(name: string, region: readonly TomlStatement[], span: Span): ServerEntry {
  const fields = new Map<string, TomlValue>();
  const env: NamedString[] = [];
  const headers: NamedString[] = [];
  let envInsert: EnvInsert | undefined;
  for (const statement of region) {
    if (statement.pair === undefined) continue;
    const [key, sub] = [...statement.table.slice(2), ...statement.pair.key];
    if (key === undefined) continue;
    const target = key === 'env' ? env : key === 'http_headers' ? headers : undefined;
    if (target !== undefined && sub !== undefined) target.push(...named([{ ...statement.pair, key: [sub] }]));
    else if (target !== undefined && statement.pair.value.kind === 'table') target.push(...named(statement.pair.value.pairs));
    else if (sub === undefined) fields.set(key, statement.pair.value);
    if (key === 'env' && envInsert === undefined) envInsert = envInsertOf(statement);
  }
  const command = stringOf(fields.get('command'));
  const args = fields.get('args');
  const url = stringOf(fields.get('url'));
  return {
    name,
    keyPath: [SERVERS, name],
    span,
    transport: command === undefined && url !== undefined ? 'remote' : 'stdio',
    ...(command === undefined ? {} : { command }),
    args: args?.kind === 'array' ? args.items.flatMap((item) => stringOf(item) ?? []) : [],
    ...(args?.kind === 'array' ? { argsSpan: args.span } : {}),
    env,
    ...(envInsert === undefined ? {} : { envInsert }),
    headers,
    ...(url === undefined ? {} : { url: url.value }),
  };
}

/** Where a variable can be added to the env that `statement` belongs to. */
function envInsertOf(statement: TomlStatement): EnvInsert | undefined {
  const pair = statement.pair;
  if (pair === undefined) return undefined;
  if (statement.table.length > 2) return { offset: statement.lineStart, form: 'toml-line' };
  if (pair.key.length > 1) return { offset: statement.lineStart, form: 'toml-dotted-line' };
  return pair.value.kind === 'table' ? { offset: pair.value.span.start + 1, form: 'toml-inline' } : undefined;
}

function named(pairs: readonly TomlPair[]): NamedString[] {
  return pairs.flatMap((pair) => {
    const field = stringOf(pair.value);
    return pair.key.length === 1 && field !== undefined ? [{ name: pair.key[0] ?? '', field }] : [];
  });
}

function stringOf(value: TomlValue | undefined): StringField | undefined {
  return value?.kind === 'string' ? { value: value.value, span: value.span } : undefined;
}

/** A TOML basic string. */
export function tomlQuote(value: string): string {
  // eslint-disable-next-line no-control-regex -- TOML basic strings must escape control characters
  const escaped = value.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => {
    const named: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `"${escaped}"`;
}

export const TOML_SYNTAX: ConfigSyntax = {
  format: 'toml',
  quote: tomlQuote,
  array: (values) => `[${values.map(tomlQuote).join(', ')}]`,
  addArgs: (_entry, _text, array) => `\nargs = ${array}`,
};
