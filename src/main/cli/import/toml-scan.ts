/**
 * A span scanner for TOML (Codex's config.toml): where each table header,
 * key and value literal is, as offsets. It does not decode numbers or dates
 * and trusts the caller to have validated the file with a real TOML parser
 * (smol-toml) first; it only needs to find where values start and end, and to
 * decode strings (to match them with the parsed values).
 */
import { ConfigParseError, type Span } from './config-entry.js';

export type TomlValue =
  | { readonly kind: 'string'; readonly value: string; readonly span: Span }
  | { readonly kind: 'array'; readonly items: readonly TomlValue[]; readonly span: Span }
  | { readonly kind: 'table'; readonly pairs: readonly TomlPair[]; readonly span: Span }
  | { readonly kind: 'other'; readonly span: Span };

export interface TomlPair {
  readonly key: readonly string[];
  readonly value: TomlValue;
  /** From the first character of the key to the end of the value. */
  readonly span: Span;
}

export interface TomlStatement {
  /** The table this statement is in ([] for the root); for headers, the header's own path. */
  readonly table: readonly string[];
  readonly kind: 'header' | 'pair';
  readonly pair?: TomlPair;
  /** Start of the statement's line, for headers. */
  readonly lineStart: number;
}

export function scanToml(text: string): TomlStatement[] {
  return new Scanner(text).document();
}

class Scanner {
  private pos = 0;
  constructor(private readonly text: string) {}

  document(): TomlStatement[] {
    const out: TomlStatement[] = [];
    let table: string[] = [];
    for (;;) {
      this.skipBlank(true);
      if (this.pos >= this.text.length) return out;
      const lineStart = this.text.lastIndexOf('\n', this.pos - 1) + 1;
      if (this.peek() === '[') {
        const double = this.text.startsWith('[[', this.pos);
        this.pos += double ? 2 : 1;
        table = this.key(']');
        this.expect(double ? ']]' : ']');
        out.push({ table, kind: 'header', lineStart });
      } else {
        out.push({ table, kind: 'pair', pair: this.pair(), lineStart });
      }
    }
  }

  private pair(): TomlPair {
    const start = this.pos;
    const key = this.key('=');
    this.expect('=');
    this.skipBlank(false);
    const value = this.value();
    return { key, value, span: { start, end: value.span.end } };
  }

  /** A dotted key up to `stop` (not consumed). */
  private key(stop: string): string[] {
    const parts: string[] = [];
    for (;;) {
      this.skipBlank(false);
      const c = this.peek();
      if (c === '"' || c === "'") {
        const literal = this.value();
        if (literal.kind !== 'string') this.fail('a key');
        parts.push(literal.value);
      } else {
        const match = /^[A-Za-z0-9_-]+/.exec(this.text.slice(this.pos));
        if (match === null) this.fail('a key');
        parts.push(match[0]);
        this.pos += match[0].length;
      }
      this.skipBlank(false);
      if (this.peek() !== '.') break;
      this.pos++;
    }
    if (!this.text.startsWith(stop, this.pos)) this.fail(`"${stop}"`);
    return parts;
  }

  private value(): TomlValue {
    const start = this.pos;
    const c = this.peek();
    if (this.text.startsWith('"""', this.pos)) return this.multiline('"""', start);
    if (this.text.startsWith("'''", this.pos)) return this.multiline("'''", start);
    if (c === '"') {
      let out = '';
      this.pos++;
      while (this.peek() !== '"') {
        if (this.pos >= this.text.length || this.peek() === '\n') this.fail('a closing quote');
        if (this.peek() === '\\') out += this.escape();
        else out += this.text[this.pos++];
      }
      this.pos++;
      return { kind: 'string', value: out, span: { start, end: this.pos } };
    }
    if (c === "'") {
      const end = this.text.indexOf("'", this.pos + 1);
      if (end < 0 || this.text.slice(this.pos, end).includes('\n')) this.fail('a closing quote');
      this.pos = end + 1;
      return { kind: 'string', value: this.text.slice(start + 1, end), span: { start, end: this.pos } };
    }
    if (c === '[') return this.array(start);
    if (c === '{') return this.inlineTable(start);
    const match = /^[^\s,\]}#]+/.exec(this.text.slice(this.pos));
    if (match === null) this.fail('a value');
    this.pos += match[0].length;
    return { kind: 'other', span: { start, end: this.pos } };
  }

  private multiline(quote: string, start: number): TomlValue {
    let end = this.text.indexOf(quote, this.pos + 3);
    while (quote === '"""' && end > 0 && this.backslashes(end) % 2 === 1) end = this.text.indexOf(quote, end + 1);
    if (end < 0) this.fail(`a closing ${quote}`);
    while (this.text[end + 3] === quote[0]) end++;
    this.pos = end + 3;
    // Multi-line strings are never rewritten: only their extent matters.
    return { kind: 'other', span: { start, end: this.pos } };
  }

  private array(start: number): TomlValue {
    const items = this.sequence(']', () => this.value());
    return { kind: 'array', items, span: { start, end: this.pos } };
  }

  private inlineTable(start: number): TomlValue {
    const pairs = this.sequence('}', () => this.pair());
    return { kind: 'table', pairs, span: { start, end: this.pos } };
  }

  /** `[a, b,]` or `{k = v, …}` from the opening bracket to after `close`. */
  private sequence<T>(close: string, item: () => T): T[] {
    this.pos++;
    const items: T[] = [];
    for (;;) {
      this.skipBlank(true);
      if (this.peek() === close) break;
      items.push(item());
      this.skipBlank(true);
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== close) this.fail(`"," or "${close}"`);
    }
    this.pos++;
    return items;
  }

  private escape(): string {
    const next = this.text[this.pos + 1] ?? '';
    const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };
    if (next in simple) {
      this.pos += 2;
      return simple[next] ?? '';
    }
    const digits = next === 'u' ? 4 : next === 'U' ? 8 : next === 'x' ? 2 : 0;
    const hex = this.text.slice(this.pos + 2, this.pos + 2 + digits);
    if (digits === 0 || !/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== digits) this.fail('a valid escape');
    this.pos += 2 + digits;
    return String.fromCodePoint(Number.parseInt(hex, 16));
  }

  private backslashes(at: number): number {
    let n = 0;
    while (this.text[at - 1 - n] === '\\') n++;
    return n;
  }

  /** Spaces, tabs, comments; newlines too when `lines`. A statement ends at a newline otherwise. */
  private skipBlank(lines: boolean): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || (lines && (c === '\n' || c === '\r'))) this.pos++;
      else if (c === '#') while (this.pos < this.text.length && this.peek() !== '\n') this.pos++;
      else return;
    }
  }

  private expect(token: string): void {
    this.skipBlank(false);
    if (!this.text.startsWith(token, this.pos)) this.fail(`"${token}"`);
    this.pos += token.length;
  }

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  private fail(what: string): never {
    throw new ConfigParseError(`expected ${what} at offset ${this.pos}`);
  }
}
