/**
 * The waiting line of `keyhold serve`'s terminal prompter, and how the user
 * moves through it.
 *
 * A terminal asks one question at a time, but the broker hands it one prompt
 * per server at once, and each MCP server already shows its verification code
 * the moment its prompt is handed over (the `pending` event). So the queue is
 * not a FIFO that blocks: every waiting prompt is listed by server, kind and
 * code — when it arrives, and above each prompt shown — and Tab puts the prompt
 * on screen back at the end of the line and shows the next one. Nothing is
 * answered by switching: a prompt switched away from is shown again from its
 * start (values half-typed into an entry are dropped, never saved).
 *
 * What is printed here comes from the core (server names pass the protocol's
 * name pattern, codes are the app's own) and is still sanitised.
 */
import type { Prompt } from '../core/prompter.js';
import { PromptAbortedError, type Key } from './terminal-keys.js';
import { closeCause } from './terminal-prompt-parts.js';
import { formatDuration, sanitizeLine } from './terminal-text.js';

/** At most this many waiting prompts are listed by name; the rest are counted. */
export const MAX_LISTED_WAITING = 5;
/**
 * At most this many arrivals are announced while one prompt is on screen, then
 * one line says more wait: arrivals cannot scroll the prompt's header away.
 */
export const MAX_ANNOUNCED_ARRIVALS = 2;

/** Thrown by a prompt on screen when the user presses the switch key while others wait. */
export class PromptSwitchedError extends Error {
  override readonly name = 'PromptSwitchedError';
}

/** The key that shows the next waiting prompt. */
export function isSwitchKey(key: Key): boolean {
  return key.kind === 'tab';
}

/** What the queue needs from the prompter around it. */
export interface QueueHost {
  /** Why no prompt can be asked now (stopping, no terminal), or null. */
  refusalReason(): string | null;
  /** Says on the terminal that a prompt was answered no without asking, and why. */
  refuse(prompt: Prompt, why: string): void;
  /** Prints a whole line between prompts. */
  line(text: string): void;
  /** Prints a line while a prompt is on screen, keeping its open question usable. */
  interject(text: string): void;
  /** After each prompt leaves the screen (answered, closed or switched away from). */
  afterPrompt(): void;
  now(): number;
}

interface Job<T> {
  readonly prompt: Prompt;
  readonly signal: AbortSignal;
  readonly run: () => Promise<T>;
  readonly fallback: T;
  readonly settle: (value: T) => void;
}

/**
 * Runs prompts on the terminal one at a time. `show` settles with the user's
 * answer, or with `fallback` when the prompt closes (its signal aborts), fails,
 * or cannot be asked; a prompt that throws PromptSwitchedError goes back to the
 * end of the line and the next one is shown.
 */
export class TerminalPromptQueue {
  private readonly waiting: Array<Job<unknown>> = [];
  /** Lines about prompts that closed while waiting, printed between prompts. */
  private readonly notes: string[] = [];
  private active: Job<unknown> | null = null;
  /** Arrivals announced while the current prompt is on screen. */
  private announced = 0;

  constructor(private readonly host: QueueHost) {}

  /** How many prompts wait behind the one on screen. */
  get length(): number {
    return this.waiting.length;
  }

  show<T>(prompt: Prompt, signal: AbortSignal, fallback: T, run: () => Promise<T>): Promise<T> {
    if (signal.aborted) return Promise.resolve(fallback);
    const refusal = this.host.refusalReason();
    if (refusal !== null) {
      this.host.refuse(prompt, refusal);
      return Promise.resolve(fallback);
    }
    return new Promise<T>((resolve) => {
      let settled = false;
      const job: Job<T> = {
        prompt,
        signal,
        run,
        fallback,
        settle: (value) => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbortWhileWaiting);
          resolve(value);
        },
      };
      const onAbortWhileWaiting = (): void => {
        const index = this.waiting.indexOf(job as Job<unknown>);
        if (index < 0) return; // on screen: the running prompt handles its own abort
        this.waiting.splice(index, 1);
        this.notes.push(`request ${sanitizeLine(prompt.verificationCode, 20)} closed before it was shown (${closeCause(signal, prompt, this.host.now())})`);
        job.settle(fallback);
      };
      signal.addEventListener('abort', onAbortWhileWaiting, { once: true });
      this.waiting.push(job as Job<unknown>);
      if (this.active !== null) this.announce(prompt);
      // Start on a later turn, so prompts that arrive together are counted in the first header.
      setImmediate(() => void this.drain());
    });
  }

  /** Answers every waiting prompt no (deny / cancel); the one on screen ends when its signal aborts. */
  close(): void {
    for (const job of this.waiting.splice(0)) job.settle(job.fallback);
  }

  private async drain(): Promise<void> {
    if (this.active !== null) return;
    for (let job = this.waiting.shift(); job !== undefined; job = this.waiting.shift()) {
      this.active = job;
      this.announced = 0;
      this.flushNotes();
      for (const line of waitingLines(this.waiting.map((waiting) => waiting.prompt), this.host.now())) this.host.line(line);
      let value: unknown = job.fallback;
      let switched = false;
      try {
        value = await job.run();
      } catch (error) {
        switched = error instanceof PromptSwitchedError;
        this.host.line(this.endedLine(job, error));
      } finally {
        this.host.afterPrompt();
        this.active = null;
      }
      // Back in line, unless its signal fired meanwhile (then it closes: the fallback answer).
      if (switched && !job.signal.aborted) this.waiting.push(job);
      else job.settle(value);
      const refusal = this.host.refusalReason();
      if (refusal !== null) {
        for (const waiting of this.waiting.splice(0)) {
          this.host.refuse(waiting.prompt, refusal);
          waiting.settle(waiting.fallback);
        }
      }
    }
    this.flushNotes();
  }

  private announce(prompt: Prompt): void {
    this.announced += 1;
    if (this.announced <= MAX_ANNOUNCED_ARRIVALS) this.host.interject(arrivalLine(prompt, this.host.now()));
    else if (this.announced === MAX_ANNOUNCED_ARRIVALS + 1) this.host.interject('  ▸ More requests are waiting: Tab shows the next; all are listed above the next prompt.');
  }

  /** Why a prompt left the screen without an answer. */
  private endedLine(job: Job<unknown>, error: unknown): string {
    const code = sanitizeLine(job.prompt.verificationCode, 20);
    if (error instanceof PromptSwitchedError) return `  Switched: request ${code} from ${sanitizeLine(job.prompt.server, 64)} waits, not answered.`;
    if (error instanceof PromptAbortedError) return `request ${code} closed (${closeCause(job.signal, job.prompt, this.host.now())})`;
    return `keyhold: this prompt failed (${sanitizeLine(error instanceof Error ? error.message : String(error), 200)}); answering no.`;
  }

  private flushNotes(): void {
    for (const note of this.notes.splice(0)) this.host.line(note);
  }
}

/** `github · approval · code ABCD-EFGH · 4m 59s left` */
export function describeWaiting(prompt: Prompt, now: number): string {
  const kind = prompt.kind === 'entry' ? 'entry' : prompt.action === undefined || prompt.action === 'read' ? 'approval' : prompt.action;
  return `${sanitizeLine(prompt.server, 64)} · ${kind} · code ${sanitizeLine(prompt.verificationCode, 20)} · ${formatDuration(prompt.expiresAt - now)} left`;
}

/** The block listing waiting prompts (empty when none wait). */
export function waitingLines(prompts: readonly Prompt[], now: number): string[] {
  if (prompts.length === 0) return [];
  const listed = prompts.slice(0, MAX_LISTED_WAITING).map((prompt) => `    ${describeWaiting(prompt, now)}`);
  const more = prompts.length - listed.length;
  return [
    `  Also waiting (${prompts.length}; Tab shows the next, nothing is answered by switching):`,
    ...listed,
    ...(more > 0 ? [`    … and ${more} more`] : []),
  ];
}

/** One line when a prompt arrives while another is on screen. */
export function arrivalLine(prompt: Prompt, now: number): string {
  return `  ▸ New request waiting: ${describeWaiting(prompt, now)} — press Tab to switch to it.`;
}
