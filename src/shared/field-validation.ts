/**
 * Checks one entered value against its FieldSpec. The entry window calls it as
 * the user types; the core calls it again on everything a prompter returns,
 * because a window's word is never trusted on its own.
 */
import { MAX_SECRET_VALUE_CHARS, type FieldSpec } from './bridge-protocol.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Returns a message for the user, or null when the value is acceptable. Never echoes the value. */
export function validateFieldValue(spec: FieldSpec, value: string): string | null {
  if (value.length > MAX_SECRET_VALUE_CHARS) return `${spec.label} is too long (at most ${MAX_SECRET_VALUE_CHARS} characters).`;
  if (value === '') return spec.required ? `${spec.label} is required.` : null;
  if (spec.type !== 'textarea' && /[\r\n]/.test(value)) return `${spec.label} must be a single line.`;
  if (spec.type === 'url' && !isHttpUrl(value)) return `${spec.label} must be a URL starting with https:// or http://.`;
  if (spec.type === 'email' && !EMAIL.test(value)) return `${spec.label} must be an email address.`;
  if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`, 'u').test(value)) {
    return `${spec.label} does not have the expected format.`;
  }
  return null;
}

/** Validates every field; returns a map of field name → message for the invalid ones. */
export function validateEntry(fields: readonly FieldSpec[], values: Readonly<Record<string, string>>): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const field of fields) {
    const problem = validateFieldValue(field, values[field.name] ?? '');
    if (problem !== null) problems[field.name] = problem;
  }
  return problems;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
