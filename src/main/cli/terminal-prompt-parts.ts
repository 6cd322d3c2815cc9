/**
 * Pieces of the terminal prompter that need no state: what an approval is
 * for, which key answers what, the rows of client text and of Keyhold's
 * header, and why a prompt closed. Everything printed here that a client
 * chooses is sanitised (terminal-text.ts).
 *
 * The screen of a prompt, top to bottom: a title; what the MCP server wrote
 * (reason, tool, guide, field label and help), every row behind the `│`
 * gutter, wrapped to the terminal's width by us and cut to a few rows; then
 * Keyhold's header — server, verified process, what is asked, the
 * verification code — and the question. Nothing a client wrote sits between
 * the header and the input, so a guide or a padded reason cannot push the
 * real header away and draw its own next to the cursor.
 */
import type { FieldSpec } from '../../shared/bridge-protocol.js';
import type { ApprovalAction, ApprovalDecision, ApprovalPrompt, Prompt, ProcessInfo } from '../core/prompter.js';
import type { Key } from './terminal-keys.js';
import { describeIdentity, UNVERIFIED_TEXT } from '../../shared/process-identity.js';
import { displayWidth, fitRow, formatDuration, sanitizeLine, wrapRows } from './terminal-text.js';

/** Where client text sits: every row of it starts with this, so none passes for one of Keyhold's rows. */
export const CLIENT_GUTTER = '  │ ';
/** Counted as wide: `│` is East Asian "ambiguous", two columns in some terminals. */
const GUTTER_COLUMNS = displayWidth(CLIENT_GUTTER);
/** Keyhold's labels in front of client text (`Reason:`, `Help:`) take this many columns. */
const CLIENT_LABEL_COLUMNS = 10;
/** Keyhold's header labels (`Server:`, `Process:`) take this many columns after the indent. */
const HEADER_LABEL_COLUMNS = 11;
const HEADER_INDENT = '  ';
/** At most this many rows each for the identity, the holders of a shared connection and why no rule applies. */
const IDENTITY_ROWS = 4;

/** How many rows of each client text the terminal shows before "…(cut)". */
export const CLIENT_ROWS = { reason: 3, tool: 1, note: 2, guide: 12, label: 2, help: 3, example: 1, preset: 1 } as const;

/** One client text after a Keyhold label, flattened to one line, wrapped to `width` columns and cut to `maxRows`. */
export function clientRows(label: string, text: string | undefined, maxRows: number, width: number): string[] {
  if (text === undefined || text.trim() === '') return [];
  const flat = sanitizeLine(text, Number.MAX_SAFE_INTEGER);
  const rows = wrapRows(flat, Math.max(10, width - GUTTER_COLUMNS - CLIENT_LABEL_COLUMNS), maxRows);
  return rows.map((row, index) => `${CLIENT_GUTTER}${(index === 0 ? label : '').padEnd(CLIENT_LABEL_COLUMNS)}${row}`.trimEnd());
}

/** A client text of several lines (the guide, already plain text), under a label row. */
export function clientBlock(label: string, plainText: string, maxRows: number, width: number): string[] {
  if (plainText === '') return [];
  const rows = wrapRows(plainText, Math.max(10, width - GUTTER_COLUMNS), maxRows);
  return [`${CLIENT_GUTTER}${label}`, ...rows.map((row) => `${CLIENT_GUTTER}${row}`.trimEnd())];
}

/** What the server wrote about one field: its label, help, example and (visible fields only) default. */
export function fieldRows(field: FieldSpec, width: number): string[] {
  return [
    ...clientRows('Label:', field.label, CLIENT_ROWS.label, width),
    ...clientRows('Help:', field.help, CLIENT_ROWS.help, width),
    ...clientRows('Example:', field.placeholder, CLIENT_ROWS.example, width),
    // A password field never takes a client's default (the core drops it too): nothing to mention.
    ...(field.type === 'password' ? [] : clientRows('Default:', field.default, CLIENT_ROWS.preset, width)),
  ];
}

/** A row of Keyhold's header: a label and a value. */
export type HeaderRow = readonly [label: string, value: string];

export interface HeaderOptions {
  readonly width: number;
  readonly now: number;
  /** Prompts waiting behind this one. */
  readonly queued: number;
  /** Bold/reverse video for the verification code. */
  readonly color: boolean;
}

/**
 * Keyhold's header, drawn last, right above the question: the server, the
 * process behind the connection, `rows` (what is asked), the verification
 * code and the time left. Each row fits the terminal: a long value wraps
 * under its label or, for what a process chose (its path, its command line,
 * the version string), is cut with "…(cut)".
 */
export function keyholdHeader(prompt: Prompt, rows: readonly HeaderRow[], options: HeaderOptions): string[] {
  const { width } = options;
  const version = prompt.serverVersion === undefined ? '' : ` ${sanitizeLine(prompt.serverVersion, 64)}`;
  const code = sanitizeLine(prompt.verificationCode, 20);
  const shownCode = options.color ? `\x1b[1;7m ${code} \x1b[0m` : code;
  const left = prompt.expiresAt - options.now;
  const lines = [
    fitRow(`${HEADER_INDENT}${'Server:'.padEnd(HEADER_LABEL_COLUMNS)}${prompt.server}${version}`, width),
    ...describeProcess(prompt.process, width - HEADER_INDENT.length).map((row) => `${HEADER_INDENT}${row}`),
    ...rows.flatMap(([label, value]) => headerRows(label, value, width)),
    `${HEADER_INDENT}Verification code:  ${shownCode}   (your MCP client should show the same code)`,
    `${HEADER_INDENT}Time left: ${formatDuration(left)} (until ${new Date(prompt.expiresAt).toLocaleTimeString()})`,
  ];
  if (options.queued > 0) lines.push(`${HEADER_INDENT}(${options.queued} more ${options.queued === 1 ? 'request is' : 'requests are'} waiting)`);
  return lines;
}

/** A header row whose value wraps under itself. */
function headerRows(label: string, value: string, width: number): string[] {
  const indent = HEADER_INDENT.length + HEADER_LABEL_COLUMNS;
  const rows = wrapRows(sanitizeLine(value, Number.MAX_SAFE_INTEGER), Math.max(10, width - indent), Number.MAX_SAFE_INTEGER);
  return rows.map((row, index) => `${index === 0 ? `${HEADER_INDENT}${`${label}:`.padEnd(HEADER_LABEL_COLUMNS)}` : ' '.repeat(indent)}${row}`);
}

/** What the approval is about, for the header and the "Action" line; `read` is the usual case. */
export function describeAction(prompt: ApprovalPrompt): { title: string; line?: string; choices: string } {
  const action: ApprovalAction = prompt.action ?? 'read';
  switch (action) {
    case 'read':
      return { title: 'approval request', choices: '[a] Allow once   [s] Allow for this session   [d] Deny   (Esc = Deny)' };
    case 'store':
      return {
        title: 'request to STORE secrets',
        line: `STORE the value this process sends for ${prompt.names.map((name) => `${prompt.server}/${name}`).join(', ')} (new, or replacing the stored one)`,
        choices: '[a] Allow   [d] Deny   (Esc = Deny)',
      };
    case 'delete':
      return {
        title: 'request to DELETE secrets',
        line: `DELETE ${prompt.names.map((name) => `${prompt.server}/${name}`).join(', ')} from the keychain`,
        choices: '[a] Allow   [d] Deny   (Esc = Deny)',
      };
    case 'always_allow':
      return {
        title: 'request to ADD AN ALWAYS-ALLOW RULE',
        line: `ALWAYS GIVE ${refs(prompt)} without asking to: ${prompt.ruleIdentity === undefined ? '(unknown)' : sanitizeLine(describeIdentity(prompt.ruleIdentity), 300)}`,
        choices: '[a] Add rule   [d] Deny   (Esc = Deny)',
      };
    case 'remove_rule':
      return {
        title: 'request to REMOVE ALWAYS-ALLOW RULES',
        line: `REMOVE the always-allow rules of ${refs(prompt)}${prompt.ruleIdentity === undefined ? '' : ` for ${sanitizeLine(describeIdentity(prompt.ruleIdentity), 300)}`}`,
        choices: '[a] Remove   [d] Deny   (Esc = Deny)',
      };
  }
}

function refs(prompt: ApprovalPrompt): string {
  return prompt.names.map((name) => `${prompt.server}/${name}`).join(', ');
}

/** The decision a key gives, or null when it is not an answer. "Allow for session" exists only for reads. */
export function approvalDecision(key: Key, action: ApprovalAction = 'read'): ApprovalDecision | null {
  if (key.kind === 'char') {
    switch (key.char.toLowerCase()) {
      case 'a':
        return 'allow';
      case 's':
        return action === 'read' ? 'allow_session' : null;
      case 'd':
        return 'deny';
      default:
        return null;
    }
  }
  // Esc is Deny (as in the window); so are Ctrl-C and Ctrl-D, and a terminal that went away.
  if (key.kind === 'escape' || key.kind === 'ctrl-c' || key.kind === 'end-of-text' || key.kind === 'closed') return 'deny';
  return null;
}

/** What is echoed after "Your answer:" once a key decided. */
export function answerText(decision: ApprovalDecision, key: Key, action: ApprovalAction = 'read'): string {
  if (decision === 'allow') return `a — allowed${action === 'read' ? ' once' : ''}.`;
  if (decision === 'allow_session') return 's — allowed for this session.';
  return key.kind === 'char' ? 'd — denied.' : 'denied.';
}

/**
 * `Process:   pid 4242 · verified`, then the executable, the command line,
 * the identity a rule can be bound to and why none applies, on rows of their
 * own, each cut to `width` columns: a long path (the process chooses it)
 * never pushes "verified" out of sight or onto a row of its own.
 */
export function describeProcess(process: ProcessInfo, width = 80): string[] {
  const status = process.verified ? 'verified' : process.unverifiedReason === 'shared_socket' ? 'UNVERIFIED (shared connection)' : 'unverified (as claimed by the client)';
  const parts = [`pid ${process.pid}`, status];
  if (process.claimedPid !== process.pid) parts.push(`claimed pid ${process.claimedPid}`);
  const indent = ' '.repeat(HEADER_LABEL_COLUMNS);
  const columns = Math.max(10, width - indent.length);
  // The identity and the sharing are what a rule is judged by: wrapped (to a few rows), not cut.
  const rows = (label: string, text: string): string[] =>
    wrapRows(sanitizeLine(text, 4096), columns, IDENTITY_ROWS).map((row, index) => `${(index === 0 ? label : '').padEnd(HEADER_LABEL_COLUMNS)}${row}`);
  const lines = [`${'Process:'.padEnd(HEADER_LABEL_COLUMNS)}${parts.join(' · ')}`];
  for (const detail of [process.executable, process.commandLine]) {
    if (detail !== undefined && detail.trim() !== '') lines.push(`${indent}${fitRow(sanitizeLine(detail, 4096), columns)}`);
  }
  if (process.identity !== undefined) lines.push(...rows('Identity:', describeIdentity(process.identity)));
  if (process.holders !== undefined) {
    lines.push(...rows('', `SHARED connection, held by ${process.holders.map((h) => `pid ${h.pid}${h.executable === undefined ? '' : ` ${h.executable}`}`).join(', ')}`));
  }
  if (process.identity === undefined && process.unverifiedReason !== undefined && process.unverifiedReason !== 'platform') {
    lines.push(...rows('', `no always-allow rule applies: ${UNVERIFIED_TEXT[process.unverifiedReason]}`));
  }
  return lines;
}

/** Why the core closed a prompt: its deadline passed, or it was cancelled (client cancel, disconnect, shutdown). */
export function closeCause(signal: AbortSignal, prompt: Prompt, now: number): 'timed out' | 'cancelled' {
  const reason: unknown = signal.reason;
  if (typeof reason === 'object' && reason !== null) {
    if ('code' in reason && reason.code === 'timeout') return 'timed out';
    if ('name' in reason && reason.name === 'TimeoutError') return 'timed out';
  }
  return now >= prompt.expiresAt ? 'timed out' : 'cancelled';
}
