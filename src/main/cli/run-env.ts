/**
 * The environment `keyhold run` gives its command: the inherited environment,
 * then the `--env-file` entries on top (the file is named on the command line,
 * so it wins), then every `keyhold://` reference replaced by its value.
 *
 * Env file format (a common subset of dotenv): `NAME=value` per line,
 * optional `export ` in front, `#` comment lines and blank lines ignored.
 * Values: unquoted (trimmed; ` #…` after a space is a comment), 'single
 * quoted' (literal), or "double quoted" (`\n`, `\t`, `\"`, `\\` escapes).
 * One value per line: no multi-line values. Errors name the line, never its value.
 */
import { readFile } from 'node:fs/promises';

import type { ServerName } from '../../shared/bridge-protocol.js';
import { UsageError } from './command.js';
import { formatRef, parseReference, type SecretRef } from './secret-ref.js';

export type Env = Record<string, string>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseEnvFile(text: string, path: string): Env {
  const env: Env = {};
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const body = line.startsWith('export ') ? line.slice('export '.length).trimStart() : line;
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq).trim();
    if (eq < 0 || !NAME.test(name)) throw new UsageError(`${path}:${index + 1}: expected NAME=value`);
    env[name] = parseValue(body.slice(eq + 1).trim(), `${path}:${index + 1}`);
  }
  return env;
}

function parseValue(text: string, where: string): string {
  const quote = text[0];
  if (quote === "'" || quote === '"') {
    const close = findClosingQuote(text, quote);
    if (close < 0) throw new UsageError(`${where}: the ${quote === '"' ? 'double' : 'single'} quote is not closed on this line`);
    const rest = text.slice(close + 1).trim();
    if (rest !== '' && !rest.startsWith('#')) throw new UsageError(`${where}: unexpected text after the closing quote`);
    const inner = text.slice(1, close);
    return quote === "'" ? inner : inner.replace(/\\([nrt"\\])/g, (_all, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
  }
  const comment = text.search(/\s#/);
  return (comment < 0 ? text : text.slice(0, comment)).trim();
}

function findClosingQuote(text: string, quote: string): number {
  for (let i = 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

export async function readEnvFile(path: string): Promise<Env> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unreadable';
    throw new UsageError(`cannot read the env file ${path} (${code})`);
  }
  return parseEnvFile(text, path);
}

/** The inherited environment with the file's entries on top; unset (undefined) entries dropped. */
export function mergeEnv(inherited: Readonly<Record<string, string | undefined>>, file: Env): Env {
  const env: Env = {};
  for (const [name, value] of Object.entries(inherited)) if (value !== undefined) env[name] = value;
  return Object.assign(env, file);
}

export interface EnvReference {
  readonly variable: string;
  readonly ref: SecretRef;
}

/** Every variable whose whole value is a `keyhold://` reference, sorted by variable name. */
export function findReferences(env: Env, defaultServer: ServerName | undefined): EnvReference[] {
  const found: EnvReference[] = [];
  for (const [variable, value] of Object.entries(env)) {
    const ref = parseReference(variable, value, defaultServer);
    if (ref !== undefined) found.push({ variable, ref });
  }
  return found.sort((a, b) => a.variable.localeCompare(b.variable));
}

/** The names to ask for, per server, each once. */
export function namesByServer(references: readonly EnvReference[]): Map<ServerName, string[]> {
  const byServer = new Map<ServerName, string[]>();
  for (const { ref } of references) {
    const names = byServer.get(ref.server) ?? [];
    if (!names.includes(ref.name)) names.push(ref.name);
    byServer.set(ref.server, names);
  }
  return byServer;
}

/** `env` with each reference replaced by its value (`values` is keyed by `server/name`). */
export function resolveReferences(env: Env, references: readonly EnvReference[], values: ReadonlyMap<string, string>): Env {
  const resolved: Env = { ...env };
  for (const { variable, ref } of references) {
    const value = values.get(formatRef(ref));
    if (value === undefined) throw new Error(`no value for ${formatRef(ref)} (${variable})`);
    resolved[variable] = value;
  }
  return resolved;
}
