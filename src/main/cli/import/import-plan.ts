/**
 * What `keyhold import` would do to one config file: per server entry, the
 * secrets to move (environment values that look like secrets), what it only
 * reports (secrets in args or in a remote server's headers/URL), the edits
 * that rewrite the entry to `keyhold run --server <name> -- <command>` with
 * `keyhold://` references, and the undo record of the entry (no values:
 * each moved value is a numbered hole, filled from the keychain on undo).
 */
import { basename } from 'node:path';

import { serverNameSchema } from '../../../shared/bridge-protocol.js';
import type { CommandLine } from '../keyhold-command.js';
import { REFERENCE_SCHEME } from '../secret-ref.js';
import { applyEdits, envPairText, type ConfigSyntax, type ServerEntry, type StringField, type TextEdit } from './config-entry.js';
import { nameLooksSecret, secretReason, urlHoldsSecret, type SecretReason } from './secret-detect.js';

export interface MovedSecret {
  readonly variable: string;
  readonly reason: SecretReason;
  readonly field: StringField;
}

export type ServerVerdict =
  | { readonly kind: 'import'; readonly secrets: readonly MovedSecret[] }
  | { readonly kind: 'nothing' }
  | { readonly kind: 'already' }
  | { readonly kind: 'args'; readonly positions: readonly number[] }
  | { readonly kind: 'remote'; readonly headers: readonly string[]; readonly inUrl: boolean };

export interface ServerPlan {
  readonly entry: ServerEntry;
  /** The Keyhold server name (the config's name, made valid for the keychain). */
  readonly server: string;
  readonly verdict: ServerVerdict;
}

/** Holes in an undo template: `\u0000<index>\u0000`, a character no config text holds. */
const HOLE = '\u0000';

export interface UndoEntry {
  readonly name: string;
  readonly keyPath: readonly string[];
  readonly server: string;
  /** The entry's text after the import: undo restores only while it is unchanged. */
  readonly rewritten: string;
  /** The entry's text before, each moved value replaced by a hole. */
  readonly template: string;
  /** Per hole: the secret's name, and whether the value's literal was written the standard way (byte-identical undo). */
  readonly holes: readonly { readonly name: string; readonly canonical: boolean }[];
}

export function planServer(entry: ServerEntry, keyhold: CommandLine): ServerPlan {
  const server = keyholdServerName(entry.name);
  return { entry, server, verdict: verdictOf(entry, keyhold) };
}

function verdictOf(entry: ServerEntry, keyhold: CommandLine): ServerVerdict {
  if (entry.transport === 'remote') {
    const headers = entry.headers.filter((h) => secretReason(h.name, h.field.value) !== undefined || /^authorization$/i.test(h.name)).map((h) => h.name);
    const inUrl = entry.url !== undefined && urlHoldsSecret(entry.url);
    return headers.length > 0 || inUrl ? { kind: 'remote', headers, inUrl } : { kind: 'nothing' };
  }
  if (isWrapped(entry, keyhold)) return { kind: 'already' };
  const positions = secretArgPositions(entry.args.map((a) => a.value));
  if (positions.length > 0) return { kind: 'args', positions };
  const secrets = entry.env.flatMap(({ name, field }) => {
    const reason = secretReason(name, field.value);
    return reason === undefined ? [] : [{ variable: name, reason, field }];
  });
  return secrets.length > 0 ? { kind: 'import', secrets } : { kind: 'nothing' };
}

function isWrapped(entry: ServerEntry, keyhold: CommandLine): boolean {
  const words = [entry.command?.value ?? '', ...entry.args.map((a) => a.value)];
  const run = words.indexOf('run');
  return run >= 0 && words.slice(0, run).some((w) => w === keyhold.command || /^keyhold(\.cmd|\.mjs)?$/i.test(basename(w)));
}

/** `--api-key=VALUE`, `--token VALUE`, or an argument that looks like a credential by itself. */
export function secretArgPositions(args: readonly string[]): number[] {
  const out: number[] = [];
  args.forEach((arg, index) => {
    const flag = /^--?([A-Za-z][\w.-]*)=(.*)$/s.exec(arg);
    if (flag !== null) {
      if (secretReason(flag[1], flag[2] ?? '') !== undefined) out.push(index);
      return;
    }
    const previous = args[index - 1];
    const named = previous !== undefined && /^--?[A-Za-z]/.test(previous) && !previous.includes('=') && nameLooksSecret(previous.replace(/^-+/, ''));
    if (!arg.startsWith('-') && (named ? secretReason('key', arg) !== undefined : secretReason(undefined, arg) !== undefined)) out.push(index);
  });
  return out;
}

/** A config's server name as a keychain-safe Keyhold server name. */
export function keyholdServerName(name: string): string {
  if (serverNameSchema.safeParse(name).success) return name;
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return cleaned === '' ? 'server' : cleaned;
}

export function referenceFor(server: string, variable: string): string {
  return `${REFERENCE_SCHEME}${server}/${variable}`;
}

/** The edits that wrap `plan`'s command in `keyhold run` and put references in place of the moved values. */
export function rewriteEdits(plan: ServerPlan, secrets: readonly MovedSecret[], keyhold: CommandLine, syntax: ConfigSyntax, text: string): TextEdit[] {
  const { entry } = plan;
  if (entry.command === undefined) return [];
  const args = [...keyhold.args, 'run', '--server', plan.server, '--', entry.command.value, ...entry.args.map((a) => a.value)];
  const array = syntax.array(args);
  const edits: TextEdit[] = [];
  if (entry.argsSpan === undefined) {
    edits.push({ span: entry.command.span, text: syntax.quote(keyhold.command) + syntax.addArgs(entry, text, array) });
  } else {
    edits.push({ span: entry.command.span, text: syntax.quote(keyhold.command) }, { span: entry.argsSpan, text: array });
  }
  for (const secret of secrets) edits.push({ span: secret.field.span, text: syntax.quote(referenceFor(plan.server, secret.variable)) });
  const added = Object.entries(keyhold.env ?? {}).filter(([name]) => !entry.env.some((e) => e.name === name));
  if (added.length > 0) {
    if (entry.envInsert === undefined) throw new Error(`${entry.name}: cannot add ${added.map(([name]) => name).join(', ')} to this entry's env`);
    const { offset, form } = entry.envInsert;
    edits.push({ span: { start: offset, end: offset }, text: added.map(([name, value]) => envPairText(form, name, syntax.quote(value))).join('') });
  }
  return edits;
}

/** The undo record of one rewritten entry: its new text, and its old text with holes where the values were. */
export function undoEntry(plan: ServerPlan, secrets: readonly MovedSecret[], edits: readonly TextEdit[], syntax: ConfigSyntax, text: string): UndoEntry {
  const { span } = plan.entry;
  const shift = (edit: TextEdit): TextEdit => ({ span: { start: edit.span.start - span.start, end: edit.span.end - span.start }, text: edit.text });
  const original = text.slice(span.start, span.end);
  const rewritten = applyEdits(original, edits.map(shift));
  const template = applyEdits(original, secrets.map((secret, index) => shift({ span: secret.field.span, text: `${HOLE}${index}${HOLE}` })));
  const holes = secrets.map((secret) => ({ name: secret.variable, canonical: text.slice(secret.field.span.start, secret.field.span.end) === syntax.quote(secret.field.value) }));
  return { name: plan.entry.name, keyPath: plan.entry.keyPath, server: plan.server, rewritten, template, holes };
}

/** The entry's original text: the template with each hole's value written as `syntax` quotes it. */
export function fillTemplate(template: string, values: readonly string[], syntax: ConfigSyntax): string {
  return template.replace(new RegExp(`${HOLE}(\\d+)${HOLE}`, 'g'), (_all, index: string) => {
    const value = values[Number(index)];
    if (value === undefined) throw new Error(`the undo record has a hole ${index} without a value`);
    return syntax.quote(value);
  });
}
