/**
 * A safety net, not a licence: secret values a tool hands back by mistake
 * (an upstream error echoing the token, a debug line) are replaced before
 * anything reaches the MCP client. Only values of secret fields (password and
 * textarea, and names without a FieldSpec, which default to password) are
 * redacted, and only from 4 characters up; a URL or user name field is shown
 * as is.
 */
import type { FieldSpec } from '../../shared/bridge-protocol.js';

export const REDACTED = '[redacted by Keyhold]';
const MIN_REDACTED_LENGTH = 4;

/** The values to keep out of MCP messages, longest first (so a value containing another is replaced whole). */
export function secretValuesToRedact(values: Readonly<Record<string, string>>, fields: readonly FieldSpec[] | undefined): string[] {
  const secret = Object.entries(values)
    .filter(([name]) => {
      const type = fields?.find((field) => field.name === name)?.type ?? 'password';
      return type === 'password' || type === 'textarea';
    })
    .map(([, value]) => value)
    .filter((value) => value.length >= MIN_REDACTED_LENGTH);
  return [...new Set(secret)].sort((a, b) => b.length - a.length);
}

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** A copy of `value` with every string redacted (plain objects and arrays are walked; other objects are kept). */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  return walk(value, secrets, 0) as T;
}

function walk(value: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => walk(item, secrets, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = walk(item, secrets, depth + 1);
  return out;
}

/** The error to rethrow: the same one when it holds no secret, else a plain Error with the redacted message. */
export function redactError(error: unknown, secrets: readonly string[]): unknown {
  if (!(error instanceof Error) || secrets.length === 0) return error;
  const message = redactText(error.message, secrets);
  const stack = error.stack === undefined ? undefined : redactText(error.stack, secrets);
  if (message === error.message && stack === error.stack) return error;
  const clean = new Error(message);
  clean.name = error.name;
  clean.stack = stack ?? message;
  return clean;
}
