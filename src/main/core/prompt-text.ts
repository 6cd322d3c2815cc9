/**
 * The display text of a prompt, neutralised once for every prompter (window,
 * terminal, tests): the broker passes each prompt through here before it is
 * shown. Blank-looking characters become spaces and invisible or bidi-control
 * characters a visible `�` (src/shared/client-text.ts) in everything a client
 * chose to be read: the reason, tool, guide, version string, the process's
 * executable and command line, field labels, help and placeholders, and the
 * rejected-value reason. Values are never touched: a text field's `default`
 * and its `pattern` stay as the client sent them.
 */
import { neutralizeClientText } from '../../shared/client-text.js';
import type { FieldSpec } from '../../shared/bridge-protocol.js';
import type { EntryPrompt, Prompt, ProcessInfo } from './prompter.js';

type DisplayFields = Pick<Prompt, 'serverVersion' | 'reason' | 'tool' | 'process'> & Partial<Pick<EntryPrompt, 'fields' | 'guide' | 'rejected'>>;

export function neutralizePromptText<P extends DisplayFields>(prompt: P): P {
  const { fields, guide, rejected } = prompt;
  return dropUndefined({
    ...prompt,
    serverVersion: optional(prompt.serverVersion),
    reason: optional(prompt.reason),
    tool: optional(prompt.tool),
    process: processText(prompt.process),
    ...(fields === undefined ? {} : { fields: fields.map(fieldText) }),
    ...(guide === undefined ? {} : { guide: neutralizeClientText(guide) }),
    ...(rejected === undefined ? {} : { rejected: dropUndefined({ ...rejected, reason: optional(rejected.reason) }) }),
  });
}

function optional(text: string | undefined): string | undefined {
  return text === undefined ? undefined : neutralizeClientText(text);
}

function processText(process: ProcessInfo): ProcessInfo {
  return dropUndefined({ ...process, executable: optional(process.executable), commandLine: optional(process.commandLine) });
}

function fieldText(field: FieldSpec): FieldSpec {
  return dropUndefined({ ...field, label: neutralizeClientText(field.label), help: optional(field.help), placeholder: optional(field.placeholder) });
}

/** Keys whose value is undefined are left out, as the prompt had them (exactOptionalPropertyTypes, strict schemas). */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
