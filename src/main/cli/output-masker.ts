/**
 * Masking secret values in a child's stdout/stderr (`keyhold run`).
 *
 * Why this cannot break a stdio MCP server's JSON-RPC stream on stdout:
 * - Bytes in, bytes out. Matching is done on the raw bytes (the UTF-8 of each
 *   form of each value); everything that is not part of a match is passed on
 *   byte for byte, never decoded and re-encoded, so binary or odd output and
 *   multi-byte characters split across chunks come through unchanged.
 * - A match becomes `«keyhold:<server>/<name>»`. Server and secret names are
 *   `[A-Za-z0-9._-]`, the guillemets are plain UTF-8 text: no quote,
 *   backslash, control character or newline, so the placeholder is valid
 *   inside a JSON string, and a JSON-RPC line stays one line of valid JSON
 *   with the same structure (newline-delimited framing is untouched: newlines
 *   are neither added nor removed, unless the secret itself contains one).
 * - Chunk boundaries: a value split across two writes is still found. Only
 *   the shortest tail that could be the start of a value is held back (the
 *   carry, at most the longest form minus one byte); everything before it is
 *   written at once. A JSON-RPC message ends with "\n", which is never the
 *   start of a value (values do not start with a newline), so a complete
 *   message is never held back waiting for the next one.
 * - Forms: the raw value, its JSON-escaped form (quotes, backslashes, control
 *   characters as `\"`, `\\`, `\n`…; also with `\/`, and with non-ASCII as
 *   `\uXXXX`), the JSON-escaped form escaped again (JSON text inside a JSON
 *   string, as in an MCP tool result), and the URL-encoded form.
 * - Values shorter than MIN_MASKED_CHARS are not masked (and `keyhold run`
 *   says so): a short value would match ordinary text and JSON keys, garbling
 *   the stream it is meant to protect.
 * Limits: a value only ever printed transformed in another way (base64, cut in
 * pieces, with ANSI colour codes inside) is not recognised.
 */
import { Transform } from 'node:stream';

export const MIN_MASKED_CHARS = 6;

export interface MaskedSecret {
  /** `server/name`, shown in the placeholder. */
  readonly ref: string;
  readonly value: string;
}

export interface Pattern {
  readonly bytes: Buffer;
  readonly placeholder: Buffer;
}

export function placeholderFor(ref: string): string {
  return `«keyhold:${ref}»`;
}

/** Every form of `value` the masker looks for (see the module comment). */
export function valueForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const asciiJson = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const forms = [value, json, json.replace(/\//g, '\\/'), asciiJson, JSON.stringify(json).slice(1, -1), encodeURIComponent(value)];
  return [...new Set(forms)].filter((form) => form.length > 0);
}

/** The byte patterns for `secrets`, longest first; `skipped` lists refs too short to mask. */
export function maskPatterns(secrets: readonly MaskedSecret[]): { patterns: Pattern[]; skipped: string[] } {
  const skipped: string[] = [];
  const byBytes = new Map<string, Pattern>();
  for (const secret of secrets) {
    if (Array.from(secret.value).length < MIN_MASKED_CHARS) {
      skipped.push(secret.ref);
      continue;
    }
    const placeholder = Buffer.from(placeholderFor(secret.ref), 'utf8');
    for (const form of valueForms(secret.value)) {
      const bytes = Buffer.from(form, 'utf8');
      const key = bytes.toString('hex');
      if (!byBytes.has(key)) byBytes.set(key, { bytes, placeholder });
    }
  }
  const patterns = [...byBytes.values()].sort((a, b) => b.bytes.length - a.bytes.length);
  return { patterns, skipped: [...new Set(skipped)] };
}

/** Replaces every pattern in a byte stream written in chunks; see the module comment. */
export class OutputMasker {
  private carry: Buffer = Buffer.alloc(0);
  private readonly maxLength: number;
  private readonly firstBytes: Set<number>;

  constructor(private readonly patterns: readonly Pattern[]) {
    this.maxLength = Math.max(0, ...patterns.map((p) => p.bytes.length));
    this.firstBytes = new Set(patterns.map((p) => p.bytes[0] ?? -1));
  }

  /** What can be written now for `chunk` (possibly less than it: a possible start of a value is held). */
  write(chunk: Buffer): Buffer {
    const data = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    return this.scan(data, false);
  }

  /** The end of the stream: whatever was held, masked. */
  end(): Buffer {
    const data = this.carry;
    this.carry = Buffer.alloc(0);
    return this.scan(data, true);
  }

  private scan(data: Buffer, final: boolean): Buffer {
    if (this.patterns.length === 0) return data;
    const out: Buffer[] = [];
    let pos = 0;
    let hold = final ? -1 : this.holdFrom(data, 0);
    for (;;) {
      if (hold >= 0 && hold < pos) hold = this.holdFrom(data, pos);
      const match = this.earliestMatch(data, pos);
      if (match !== undefined && (hold < 0 || match.start < hold)) {
        out.push(data.subarray(pos, match.start), match.pattern.placeholder);
        pos = match.start + match.pattern.bytes.length;
        continue;
      }
      const until = hold < 0 ? data.length : hold;
      out.push(data.subarray(pos, until));
      this.carry = Buffer.from(data.subarray(until));
      return Buffer.concat(out);
    }
  }

  /** The leftmost complete match at or after `from`; the longest one when several start there. */
  private earliestMatch(data: Buffer, from: number): { start: number; pattern: Pattern } | undefined {
    let best: { start: number; pattern: Pattern } | undefined;
    for (const pattern of this.patterns) {
      const start = data.indexOf(pattern.bytes, from);
      // Patterns are sorted longest first, so on a tie the first one found stays.
      if (start >= 0 && (best === undefined || start < best.start)) best = { start, pattern };
    }
    return best;
  }

  /**
   * The first position ≥ `from` where the rest of `data` is a proper prefix
   * of some pattern (a value that may continue in the next chunk), or -1.
   */
  private holdFrom(data: Buffer, from: number): number {
    for (let t = Math.max(from, data.length - this.maxLength + 1); t < data.length; t++) {
      if (!this.firstBytes.has(data[t] ?? -1)) continue;
      const rest = data.subarray(t);
      for (const pattern of this.patterns) {
        if (pattern.bytes.length > rest.length && pattern.bytes.subarray(0, rest.length).equals(rest)) return t;
      }
    }
    return -1;
  }
}

/** A Transform stream around OutputMasker. */
export function maskingStream(patterns: readonly Pattern[]): Transform {
  const masker = new OutputMasker(patterns);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const out = masker.write(chunk);
      if (out.length > 0) this.push(out);
      done();
    },
    flush(done) {
      const out = masker.end();
      if (out.length > 0) this.push(out);
      done();
    },
  });
}
