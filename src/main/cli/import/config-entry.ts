/**
 * What `keyhold import` knows of one MCP server entry in a client config,
 * whatever the file format: its name, where its text is (for the rewrite and
 * for `--undo`), and its fields with the text span of every string literal,
 * so a rewrite replaces exactly those bytes and nothing else of the file.
 */

/** `[start, end)` offsets into the config text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface StringField {
  readonly value: string;
  /** The literal with its quotes. */
  readonly span: Span;
}

export interface NamedString {
  readonly name: string;
  readonly field: StringField;
}

export interface ServerEntry {
  /** The server's key in the config. */
  readonly name: string;
  /** Where the entry sits, e.g. ['mcpServers', 'github'] or ['projects', '/repo', 'mcpServers', 'github']. */
  readonly keyPath: readonly string[];
  /** The whole entry's text: what `--undo` compares and restores. */
  readonly span: Span;
  readonly transport: 'stdio' | 'remote';
  readonly command?: StringField;
  readonly args: readonly StringField[];
  /** The args array literal, when there is one. */
  readonly argsSpan?: Span;
  readonly env: readonly NamedString[];
  /** Where a new env variable can go, and in which form (only when the entry has an env to add to). */
  readonly envInsert?: EnvInsert;
  /** Remote servers: HTTP headers (Authorization, X-API-Key…) and the URL. */
  readonly headers: readonly NamedString[];
  readonly url?: string;
}

/**
 * A point in the entry's env where a variable can be added: right after the
 * `{` of a JSON object or TOML inline table, or at the start of the line of
 * the first variable of a TOML `[….env]` table or of `env.X = …` keys.
 */
export interface EnvInsert {
  readonly offset: number;
  readonly form: 'json' | 'toml-inline' | 'toml-line' | 'toml-dotted-line';
}

/** The text that adds `name = value` (value already quoted) at an EnvInsert. */
export function envPairText(form: EnvInsert['form'], name: string, quoted: string): string {
  switch (form) {
    case 'json':
      return `${JSON.stringify(name)}: ${quoted}, `;
    case 'toml-inline':
      return ` ${name} = ${quoted},`;
    case 'toml-line':
      return `${name} = ${quoted}\n`;
    case 'toml-dotted-line':
      return `env.${name} = ${quoted}\n`;
  }
}

/** How one file format writes what the rewrite needs. */
export interface ConfigSyntax {
  readonly format: 'jsonc' | 'toml';
  /** A string literal for `value`. */
  quote(value: string): string;
  /** An array literal of strings, on one line. */
  array(values: readonly string[]): string;
  /** What to put after the command literal to add an args field to an entry that has none. */
  addArgs(entry: ServerEntry, text: string, array: string): string;
}

/** A config file that cannot be read as its format: nothing is written to it. */
export class ConfigParseError extends Error {
  override readonly name = 'ConfigParseError';
}

export interface TextEdit {
  readonly span: Span;
  readonly text: string;
}

/** Applies non-overlapping edits (any order) to text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.span.start - a.span.start)) {
    out = out.slice(0, edit.span.start) + edit.text + out.slice(edit.span.end);
  }
  return out;
}

/** 1-based line and column of an offset, for error messages. */
export function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}
