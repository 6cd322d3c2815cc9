/**
 * The prompter of `keyhold serve`: approvals and secret entry in the terminal.
 *
 * - One prompt on screen at a time; the others wait in line, each listed by
 *   server, kind and verification code (when it arrives and above every prompt
 *   shown), and Tab switches to the next one (terminal-prompt-queue.ts): one
 *   server's prompt never holds up another's.
 * - The terminal is in raw mode only while a prompt is on screen (see
 *   terminal-keys.ts): password fields echo nothing, Ctrl-C/Esc answer "no"
 *   (Deny / Cancel) instead of killing the server, and between prompts Ctrl-C
 *   stops `keyhold serve` as usual.
 * - Approvals take one key: `a` Allow, `s` Allow for session, `d` or Esc Deny.
 *   Enter answers nothing (as in the window, there is no default button), and
 *   any other key shows the choices again. A request to store or delete
 *   secrets (`keyhold set` / `rm`) says so in its header and offers only
 *   Allow / Deny: changes are never allowed "for the session".
 * - Every string that comes from an MCP server or a client process is
 *   sanitised (terminal-text.ts), wrapped behind a `│` gutter and cut to a few
 *   rows; Keyhold's header is drawn last, right above the question
 *   (terminal-prompt-parts.ts). Values typed into password fields are never
 *   printed, and a password field takes no default.
 * - No terminal (stdin is not a TTY, say under a process manager or with
 *   input redirected): nothing is asked; approvals are denied and entries
 *   cancelled at once, with one line on the output saying why.
 */
import type { ApprovalDecision, ApprovalPrompt, EntryOutcome, EntryPrompt, Prompt, Prompter } from '../core/prompter.js';
import type { FieldSpec } from '../../shared/bridge-protocol.js';
import { validateFieldValue } from '../../shared/field-validation.js';
import { KeyReader, type Key, type TerminalInput } from './terminal-keys.js';
import {
  answerText,
  approvalDecision,
  clientBlock,
  clientRows,
  CLIENT_ROWS,
  describeAction,
  fieldRows,
  keyholdHeader,
  type HeaderRow,
} from './terminal-prompt-parts.js';
import { isSwitchKey, PromptSwitchedError, TerminalPromptQueue } from './terminal-prompt-queue.js';
import { formatDuration, markdownToPlainText, sanitizeLine } from './terminal-text.js';

export type { TerminalInput } from './terminal-keys.js';
export { describeProcess } from './terminal-prompt-parts.js';

export interface TerminalPrompterOptions {
  readonly input: TerminalInput;
  readonly output: NodeJS.WritableStream & { isTTY?: boolean };
  /**
   * Keys arriving this soon after a prompt appears are dropped, so type-ahead
   * cannot answer a prompt the user has not seen. Default 300 ms.
   */
  readonly inputGuardMs?: number;
  /** Bold/reverse video for the verification code. Default: output is a TTY and NO_COLOR is unset. */
  readonly color?: boolean;
  readonly now?: () => number;
}

export const DEFAULT_INPUT_GUARD_MS = 300;

/** A line of the field loop's result: what the user typed, or why they stopped. */
type LineResult = { readonly kind: 'line'; readonly value: string } | { readonly kind: 'cancel' } | { readonly kind: 'switch' };

export class TerminalPrompter implements Prompter {
  private readonly input: TerminalInput;
  private readonly output: NodeJS.WritableStream;
  private readonly keys: KeyReader;
  private readonly color: boolean;
  private readonly now: () => number;
  private readonly queue: TerminalPromptQueue;
  private closed = false;
  /** True when the cursor is not at the start of a line (a question is waiting for its answer). */
  private midLine = false;
  /** The open question and what is echoed after it, to write again below a line printed in between. */
  private openInput: (() => string) | null = null;

  constructor(options: TerminalPrompterOptions) {
    this.input = options.input;
    this.output = options.output;
    this.now = options.now ?? Date.now;
    this.keys = new KeyReader(options.input, {
      guardMs: options.inputGuardMs ?? DEFAULT_INPUT_GUARD_MS,
      now: this.now,
    });
    this.color = options.color ?? (options.output.isTTY === true && process.env['NO_COLOR'] === undefined);
    this.queue = new TerminalPromptQueue({
      refusalReason: () => this.refusalReason(),
      refuse: (prompt, why) => this.refuse(prompt, why),
      line: (text) => this.line(text),
      interject: (text) => this.interject(text),
      afterPrompt: () => this.keys.stop(),
      now: this.now,
    });
  }

  approve(prompt: ApprovalPrompt, signal: AbortSignal): Promise<ApprovalDecision> {
    return this.queue.show<ApprovalDecision>(prompt, signal, 'deny', () => this.runApproval(prompt, signal));
  }

  enter(prompt: EntryPrompt, signal: AbortSignal): Promise<EntryOutcome> {
    return this.queue.show<EntryOutcome>(prompt, signal, { action: 'cancel' }, () => this.runEntry(prompt, signal));
  }

  /**
   * Stops asking: prompts still queued are answered no (deny / cancel), and the
   * terminal leaves raw mode. The prompt on screen, if any, ends when the core
   * aborts its signal (it does on stop); `close` does not wait for that.
   */
  close(): void {
    this.closed = true;
    this.queue.close();
    this.keys.stop();
  }

  private refusalReason(): string | null {
    if (this.closed) return 'keyhold serve is stopping';
    if (this.input.isTTY !== true) {
      return 'no terminal is attached to answer it; start `keyhold serve` in a terminal, or use the Keyhold desktop app';
    }
    if (typeof this.input.setRawMode !== 'function') {
      return 'this terminal cannot turn off echo for hidden input; start `keyhold serve` in a terminal, or use the Keyhold desktop app';
    }
    if (this.keys.isClosed) return 'the terminal input has closed; restart `keyhold serve` in a terminal, or use the Keyhold desktop app';
    return null;
  }

  private refuse(prompt: Prompt, why: string): void {
    const what =
      prompt.kind === 'approval'
        ? `denied ${prompt.action === undefined || prompt.action === 'read' ? 'approval' : prompt.action} request ${prompt.verificationCode} from ${prompt.server} for ${prompt.names.join(', ')}`
        : `cancelled entry request ${prompt.verificationCode} from ${prompt.server} for ${prompt.fields.map((f) => f.name).join(', ')}`;
    this.line(`keyhold: ${sanitizeLine(what, 400)}: ${why}.`);
  }

  // ── approval ────────────────────────────────────────────────────────────

  private async runApproval(prompt: ApprovalPrompt, signal: AbortSignal): Promise<ApprovalDecision> {
    const action = describeAction(prompt);
    const width = this.width();
    this.title(action.title);
    this.fromServer([...clientRows('Reason:', prompt.reason, CLIENT_ROWS.reason, width), ...clientRows('Tool:', prompt.tool, CLIENT_ROWS.tool, width)]);
    this.header(prompt, [...(action.line === undefined ? [] : [['Wants to', action.line] as const]), ['Secrets', prompt.names.join(', ')], ...(prompt.ruleNote === undefined ? [] : [['Rule', prompt.ruleNote] as const])]);
    this.line('');
    this.line(`  ${action.choices}`);
    this.keys.start();
    this.ask('  Your answer: ');
    for (;;) {
      const key = await this.keys.next(signal);
      this.switchOn(key);
      const decision = approvalDecision(key, prompt.action);
      if (decision !== null) {
        this.answer(answerText(decision, key, prompt.action));
        return decision;
      }
      const hint = key.kind === 'enter' ? 'Enter does not answer' : isSwitchKey(key) ? 'no other request is waiting' : 'not a choice';
      this.answer(`(${hint}.)`);
      const keys = prompt.action === undefined || prompt.action === 'read' ? 'a, s or d' : 'a or d';
      this.ask(`  Press ${keys} (${formatDuration(prompt.expiresAt - this.now())} left): `);
    }
  }

  // ── entry ───────────────────────────────────────────────────────────────

  private async runEntry(prompt: EntryPrompt, signal: AbortSignal): Promise<EntryOutcome> {
    const width = this.width();
    const names = prompt.fields.map((f) => f.name);
    const asked: HeaderRow[] = [['Fields', names.join(', ')]];
    if (prompt.rejected !== undefined) asked.push(['Note', `the previous value of ${prompt.rejected.names.join(', ')} was rejected by the server; enter a new one`]);
    this.title('secret entry request');
    this.fromServer([
      ...clientRows('Reason:', prompt.reason, CLIENT_ROWS.reason, width),
      ...clientRows('Tool:', prompt.tool, CLIENT_ROWS.tool, width),
      ...clientRows('Rejected:', prompt.rejected?.reason, CLIENT_ROWS.note, width),
      ...clientBlock('Guide:', prompt.guide === undefined ? '' : markdownToPlainText(prompt.guide), CLIENT_ROWS.guide, width),
    ]);
    this.keys.start();

    const values: Record<string, string> = {};
    for (const [index, field] of prompt.fields.entries()) {
      this.fieldIntro(field, index, prompt.fields.length, width);
      this.header(prompt, asked);
      this.line('');
      this.line(`  Type the value of ${field.name} and ${field.type === 'textarea' ? 'press Ctrl-D when done' : 'press Enter'}. Esc or Ctrl-C cancels this entry.`);
      for (;;) {
        this.ask(`  ${field.name}: `);
        const typed = await this.readLine(field, signal);
        if (typed.kind === 'switch') throw new PromptSwitchedError('switched');
        if (typed.kind === 'cancel') {
          this.line('  Entry cancelled; nothing was saved.');
          return { action: 'cancel' };
        }
        // A client's default fills a visible field only: never a hidden one (the core drops those too).
        const value = typed.value === '' && field.default !== undefined && field.type !== 'password' ? field.default : typed.value;
        // The field's name, not its label, in the message: nothing the server wrote sits next to the input.
        const problem = validateFieldValue({ ...field, label: field.name }, value);
        if (problem === null) {
          values[field.name] = value;
          break;
        }
        this.line(`  ✗ ${sanitizeLine(problem, 300)}`);
      }
    }
    this.line(`  ✓ ${prompt.fields.length === 1 ? 'Value' : 'Values'} handed to Keyhold.`);
    return { action: 'save', values };
  }

  private fieldIntro(field: FieldSpec, index: number, count: number, width: number): void {
    const traits = [field.required ? 'required' : 'optional'];
    if (field.type === 'password') traits.push('hidden input: nothing is shown as you type');
    else if (field.type !== 'text') traits.push(field.type === 'textarea' ? 'several lines: Enter adds a line, Ctrl-D finishes' : field.type);
    if (field.type !== 'password' && field.default !== undefined) traits.push('Enter on an empty line takes the default');
    this.line('');
    this.line(`  ${count > 1 ? `Field ${index + 1} of ${count}: ` : 'Field: '}${field.name} (${traits.join('; ')})`);
    for (const row of fieldRows(field, width)) this.line(row);
  }

  /**
   * One value, typed in raw mode. Visible fields echo printable characters;
   * password fields echo nothing at all (not even stars: the length is a hint
   * too). Backspace and Ctrl-U edit; Esc, Ctrl-C (and Ctrl-D on an empty
   * single-line field) cancel.
   */
  private async readLine(field: FieldSpec, signal: AbortSignal): Promise<LineResult> {
    const hidden = field.type === 'password';
    const multiline = field.type === 'textarea';
    const chars: string[] = [];
    const echo = (text: string): void => {
      if (!hidden) this.output.write(text);
    };
    const question = this.openInput?.() ?? '';
    // Written again below a line printed in between: the question and, for a visible field, this line's text.
    this.openInput = () => {
      if (hidden) return question;
      const lines = chars.join('').split('\n');
      return lines.length === 1 ? `${question}${lines[0] ?? ''}` : `    ${lines.at(-1) ?? ''}`;
    };
    for (;;) {
      const key: Key = await this.keys.next(signal);
      switch (key.kind) {
        case 'tab':
          if (this.queue.length === 0) break;
          this.endLine();
          return { kind: 'switch' };
        case 'char':
          chars.push(key.char);
          echo(key.char);
          break;
        case 'backspace': {
          const last = chars.at(-1);
          if (last === undefined || last === '\n') break; // do not rub out across a line break
          chars.pop();
          echo('\b \b');
          break;
        }
        case 'clear-line': {
          let removed = 0;
          while (chars.length > 0 && chars.at(-1) !== '\n') {
            chars.pop();
            removed++;
          }
          if (removed > 0) echo('\b \b'.repeat(removed));
          break;
        }
        case 'enter':
          if (multiline) {
            chars.push('\n');
            this.output.write('\n    ');
            break;
          }
          this.endLine();
          return { kind: 'line', value: chars.join('') };
        case 'end-of-text':
          if (multiline) {
            this.endLine();
            return { kind: 'line', value: chars.join('').replace(/\n+$/, '') };
          }
          if (chars.length > 0) break;
          this.endLine();
          return { kind: 'cancel' };
        case 'escape':
        case 'ctrl-c':
        case 'closed':
          this.endLine();
          return { kind: 'cancel' };
      }
    }
  }

  // ── waiting prompts ─────────────────────────────────────────────────────

  /** The switch key, while other prompts wait, leaves the prompt on screen for the next one. */
  private switchOn(key: Key): void {
    if (isSwitchKey(key) && this.queue.length > 0) {
      this.answer('Tab — switching.');
      throw new PromptSwitchedError('switched');
    }
  }

  /** Prints a line while a prompt is on screen, then writes its open question (and what was echoed) again. */
  private interject(text: string): void {
    const open = this.midLine ? this.openInput : null;
    this.line(text);
    if (open === null) return;
    this.ask(open());
    this.openInput = open; // still the same input: later keys extend it
  }

  // ── output ──────────────────────────────────────────────────────────────

  /** Columns the prompt may use: the terminal's width less one (a full row makes some terminals wrap early). */
  private width(): number {
    const columns = (this.output as { columns?: unknown }).columns;
    return (typeof columns === 'number' && columns > 0 ? Math.max(20, columns) : 80) - 1;
  }

  private title(title: string): void {
    this.line('');
    this.line(`── Keyhold: ${title} ${'─'.repeat(Math.max(4, 56 - title.length))}`);
  }

  /** What the MCP server wrote, behind the gutter; nothing when it wrote nothing. */
  private fromServer(rows: readonly string[]): void {
    if (rows.length === 0) return;
    this.line('  From the MCP server (its words; Keyhold does not check them):');
    for (const row of rows) this.line(row);
  }

  /** Keyhold's own header (terminal-prompt-parts.ts), right above the question. */
  private header(prompt: Prompt, rows: readonly HeaderRow[]): void {
    this.line('');
    const lines = keyholdHeader(prompt, rows, { width: this.width(), now: this.now(), queued: this.queue.length, color: this.color });
    for (const line of lines) this.line(line);
  }

  /** Writes a whole line, first ending a question line left open. */
  private line(text: string): void {
    this.output.write(`${this.midLine ? '\n' : ''}${text}\n`);
    this.midLine = false;
  }

  /** Writes a question and leaves the cursor after it. */
  private ask(text: string): void {
    this.output.write(`${this.midLine ? '\n' : ''}${text}`);
    this.midLine = true;
    this.openInput = () => text;
  }

  /** Ends the open question line with the answer shown after it. */
  private answer(text: string): void {
    this.output.write(`${text}\n`);
    this.midLine = false;
  }

  private endLine(): void {
    this.output.write('\n');
    this.midLine = false;
  }
}
