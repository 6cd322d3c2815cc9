/**
 * A prompter for tests: each prompt is answered by the next scripted answer
 * (or a default responder), and every prompt shown is recorded, so a test can
 * assert what the user would have seen. `hold` answers never come, so the
 * prompt stays open until the core aborts it (timeout, cancel, shutdown).
 */
import type {
  ApprovalDecision,
  ApprovalPrompt,
  EntryOutcome,
  EntryPrompt,
  Prompt,
  Prompter,
} from '../../src/main/core/prompter.js';

export type ScriptedAnswer =
  | { readonly approval: ApprovalDecision }
  | { readonly entry: EntryOutcome }
  | { readonly hold: true };

export interface ShownPrompt {
  readonly prompt: Prompt;
  /** How the prompt ended: the answer given, or 'aborted' when the core closed it. */
  outcome: 'answered' | 'aborted' | 'open';
  /** For a held prompt: answer it now, like a user coming back to the window. */
  answerNow?: (answer: ScriptedAnswer) => void;
}

export class ScriptedPrompter implements Prompter {
  readonly shown: ShownPrompt[] = [];
  private readonly script: ScriptedAnswer[] = [];
  private readonly waiters: Array<(prompt: Prompt) => void> = [];
  focused: string[] = [];

  constructor(private readonly fallback?: (prompt: Prompt) => ScriptedAnswer) {}

  /** Queues answers, consumed one per prompt in order. */
  answer(...answers: ScriptedAnswer[]): this {
    this.script.push(...answers);
    return this;
  }

  /** Resolves with the next prompt shown (or one already shown after `since`). */
  nextPrompt(since = this.shown.length): Promise<Prompt> {
    const already = this.shown[since];
    if (already !== undefined) return Promise.resolve(already.prompt);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  approve(prompt: ApprovalPrompt, signal: AbortSignal): Promise<ApprovalDecision> {
    return this.respond(prompt, signal, (answer) => {
      if (!('approval' in answer)) throw new Error(`script expected an approval answer, got ${JSON.stringify(Object.keys(answer))}`);
      return answer.approval;
    });
  }

  enter(prompt: EntryPrompt, signal: AbortSignal): Promise<EntryOutcome> {
    return this.respond(prompt, signal, (answer) => {
      if (!('entry' in answer)) throw new Error(`script expected an entry answer, got ${JSON.stringify(Object.keys(answer))}`);
      return answer.entry;
    });
  }

  focus(promptId: string): void {
    this.focused.push(promptId);
  }

  private respond<T>(prompt: Prompt, signal: AbortSignal, pick: (answer: ScriptedAnswer) => T): Promise<T> {
    const record: ShownPrompt = { prompt, outcome: 'open' };
    this.shown.push(record);
    for (const waiter of this.waiters.splice(0)) waiter(prompt);
    const answer = this.script.shift() ?? this.fallback?.(prompt) ?? { hold: true };
    return new Promise<T>((resolve, reject) => {
      signal.addEventListener('abort', () => {
        if (record.outcome === 'open') record.outcome = 'aborted';
        reject(new Error('aborted'));
      }, { once: true });
      if ('hold' in answer) {
        record.answerNow = (late) => {
          if (signal.aborted || record.outcome !== 'open') return;
          record.outcome = 'answered';
          resolve(pick(late));
        };
        return;
      }
      try {
        const value = pick(answer);
        // Answer on a later turn, like a user clicking.
        setImmediate(() => {
          if (signal.aborted) return;
          record.outcome = 'answered';
          resolve(value);
        });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }
}
