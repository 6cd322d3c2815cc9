/**
 * The prompter behind windowed UIs (the Electron app, the browser test
 * harness). It keeps each open prompt until its window answers, and asks a
 * WindowHost to open, focus and close the windows. The host does no policy:
 * which window may answer which prompt is decided here and in ui-handlers.
 *
 * Closing a prompt's window without answering counts as Deny (approval) or
 * Cancel (entry): a window the user dismissed never leaves a request hanging.
 */
import { EventEmitter } from 'node:events';

import type { ApprovalDecision, ApprovalPrompt, EntryOutcome, EntryPrompt, Prompt, Prompter } from './prompter.js';

export interface WindowHost {
  /** Shows a window for the prompt. */
  openPrompt(prompt: Prompt): void;
  /** Takes the prompt's window off screen (answered, timed out, cancelled). */
  closePrompt(promptId: string): void;
  focusPrompt(promptId: string): void;
}

interface OpenPrompt {
  readonly prompt: Prompt;
  readonly settle: (answer: ApprovalDecision | EntryOutcome) => void;
}

export class PromptBoard implements Prompter {
  private readonly open = new Map<string, OpenPrompt>();
  private readonly events = new EventEmitter();
  private host: WindowHost | undefined;

  /** The host can be attached after the core starts (the Electron app is ready later than Node). */
  attach(host: WindowHost): void {
    this.host = host;
    for (const { prompt } of this.open.values()) host.openPrompt(prompt);
  }

  approve(prompt: ApprovalPrompt, signal: AbortSignal): Promise<ApprovalDecision> {
    return this.show(prompt, signal) as Promise<ApprovalDecision>;
  }

  enter(prompt: EntryPrompt, signal: AbortSignal): Promise<EntryOutcome> {
    return this.show(prompt, signal) as Promise<EntryOutcome>;
  }

  focus(promptId: string): void {
    if (this.open.has(promptId)) this.host?.focusPrompt(promptId);
  }

  /**
   * The open prompt a request link (`keyhold://request/<id>`, `GET /request/<id>`)
   * names: the app's own prompt id, sent to the client as the `pending` event's
   * `link`. Never the client's request id: another client could reuse that one.
   */
  findByLinkId(id: string): Prompt | undefined {
    return this.get(id);
  }

  get(promptId: string): Prompt | undefined {
    return this.open.get(promptId)?.prompt;
  }

  list(): Prompt[] {
    return [...this.open.values()].map((entry) => entry.prompt);
  }

  /** The window's answer. False when the prompt is no longer open (answered, timed out) or is not an approval. */
  answerApproval(promptId: string, decision: ApprovalDecision): boolean {
    return this.answer(promptId, 'approval', decision);
  }

  answerEntry(promptId: string, outcome: EntryOutcome): boolean {
    return this.answer(promptId, 'entry', outcome);
  }

  /** The user closed the window (title-bar X, Cmd-W): Deny / Cancel. */
  windowClosed(promptId: string): void {
    const entry = this.open.get(promptId);
    if (entry === undefined) return;
    if (entry.prompt.kind === 'approval') this.answerApproval(promptId, 'deny');
    else this.answerEntry(promptId, { action: 'cancel' });
  }

  onChange(listener: () => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  private show(prompt: Prompt, signal: AbortSignal): Promise<ApprovalDecision | EntryOutcome> {
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        signal.removeEventListener('abort', onAbort);
        if (this.open.delete(prompt.id)) {
          this.host?.closePrompt(prompt.id);
          this.events.emit('change');
        }
      };
      const onAbort = (): void => {
        finish();
        reject(signal.reason instanceof Error ? signal.reason : new Error('closed'));
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.open.set(prompt.id, {
        prompt,
        settle: (answer) => {
          finish();
          resolve(answer);
        },
      });
      this.events.emit('change');
      this.host?.openPrompt(prompt);
    });
  }

  private answer(promptId: string, kind: Prompt['kind'], answer: ApprovalDecision | EntryOutcome): boolean {
    const entry = this.open.get(promptId);
    if (entry === undefined || entry.prompt.kind !== kind) return false;
    entry.settle(answer);
    return true;
  }
}
