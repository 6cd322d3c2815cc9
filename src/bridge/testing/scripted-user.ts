/**
 * The simulated user of `FakeKeyholdApp`: a `Prompter` for the real core.
 * Every prompt the core shows becomes a `FakePrompt` in `prompts` (with the
 * verification code the pending event carried), answered by the next
 * scripted decision, the `onPrompt` policy, or a test by hand. The core does
 * everything else, exactly as in the app: one window at a time per server,
 * timeouts from arrival, cancel and disconnect, entry validation, grants.
 */
import type { ApprovalDecision } from '../../shared/domain.js';
import { KeyholdError } from '../../shared/keyhold-error.js';
import type { ApprovalPrompt, EntryOutcome, EntryPrompt, Prompt, Prompter } from '../../main/core/prompter.js';
import type { FakeDecision, FakeKeyholdAppOptions, FakePrompt, FakePromptOutcome } from './fake-types.js';

type Answer = Exclude<FakeDecision, 'hold'>;

export class ScriptedUser implements Prompter {
  private readonly script: FakeDecision[];
  private readonly waiters: Array<{ since: number; resolve: (prompt: FakePrompt) => void }> = [];

  constructor(
    private readonly prompts: FakePrompt[],
    private readonly options: Pick<FakeKeyholdAppOptions, 'decisions' | 'onPrompt'>,
  ) {
    this.script = [...(options.decisions ?? [])];
  }

  decide(decisions: readonly FakeDecision[]): void {
    this.script.push(...decisions);
  }

  /** The window shown after the `since`-th, once it is. */
  next(since: number): Promise<FakePrompt> {
    const shown = this.prompts[since];
    if (shown !== undefined) return Promise.resolve(shown);
    return new Promise((resolve) => this.waiters.push({ since, resolve }));
  }

  async approve(prompt: ApprovalPrompt, signal: AbortSignal): Promise<ApprovalDecision> {
    const answer = await this.show(prompt, signal);
    if (typeof answer !== 'string') throw misfit(answer, prompt);
    if (answer === 'cancel' || answer === 'timeout') throw ended(answer, prompt);
    return answer;
  }

  async enter(prompt: EntryPrompt, signal: AbortSignal): Promise<EntryOutcome> {
    const answer = await this.show(prompt, signal);
    if (answer === 'cancel' || answer === 'timeout') throw ended(answer, prompt);
    if (typeof answer === 'string') throw misfit(answer, prompt);
    return { action: 'save', values: answer.save };
  }

  private show(shown: Prompt, signal: AbortSignal): Promise<Answer> {
    const window = new ShownWindow(shown);
    this.prompts.push(window);
    for (const waiter of this.waiters.filter((w) => this.prompts.length > w.since)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(this.prompts[waiter.since] ?? window);
    }
    const scripted = this.script.shift() ?? this.options.onPrompt?.(window) ?? 'hold';
    // Answered on a later turn, like a user clicking.
    if (scripted !== 'hold') setImmediate(() => window.answer(scripted));
    return window.decided(signal);
  }
}

/** One window: what the core's prompt shows, its outcome, and the answer the core waits for. */
class ShownWindow implements FakePrompt {
  readonly requestId: string;
  readonly kind: FakePrompt['kind'];
  readonly action: FakePrompt['action'];
  readonly server: string;
  readonly pid: number;
  readonly names: FakePrompt['names'];
  readonly fields: FakePrompt['fields'];
  readonly guide: string | undefined;
  readonly reason: string | undefined;
  readonly tool: string | undefined;
  readonly rejected: FakePrompt['rejected'];
  readonly verificationCode: string;
  readonly link: string;
  readonly expiresAt: number;
  outcome: FakePromptOutcome = 'open';
  private resolve: ((answer: Answer) => void) | undefined;
  private readonly answered: Promise<Answer>;

  constructor(prompt: Prompt) {
    this.requestId = prompt.requestId ?? prompt.id;
    this.kind = prompt.kind;
    this.action = prompt.kind === 'approval' ? (prompt.action ?? 'read') : undefined;
    this.server = prompt.server;
    this.pid = prompt.process.pid;
    this.names = prompt.kind === 'approval' ? prompt.names : prompt.fields.map((field) => field.name);
    this.fields = prompt.kind === 'approval' ? [] : prompt.fields;
    this.guide = prompt.kind === 'entry' ? prompt.guide : undefined;
    this.reason = prompt.reason;
    this.tool = prompt.tool;
    this.rejected = prompt.kind === 'entry' ? prompt.rejected : undefined;
    this.verificationCode = prompt.verificationCode;
    // The pending event's `link` is the app's prompt id (client-connection.ts).
    this.link = prompt.id;
    this.expiresAt = prompt.expiresAt;
    this.answered = new Promise((resolve) => (this.resolve = resolve));
  }

  answer(decision: Answer): boolean {
    if (this.outcome !== 'open' || this.resolve === undefined) return false;
    this.outcome = typeof decision === 'string' ? decision : 'save';
    this.resolve(decision);
    this.resolve = undefined;
    return true;
  }

  /** The answer; when the core closes the window first (timeout, cancel, disconnect, stop), the outcome says so. */
  decided(signal: AbortSignal): Promise<Answer> {
    const onAbort = (): void => {
      if (this.outcome !== 'open') return;
      const reason: unknown = signal.reason;
      this.outcome = reason instanceof KeyholdError && reason.code === 'timeout' ? 'timeout' : 'aborted';
      this.resolve = undefined;
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return this.answered;
  }
}

function ended(answer: 'cancel' | 'timeout', prompt: Prompt): KeyholdError {
  return answer === 'cancel'
    ? new KeyholdError('cancelled', `The user closed the Keyhold ${prompt.kind} window.`)
    : new KeyholdError('timeout', 'Nobody answered the Keyhold window (the scripted decision was "timeout").');
}

function misfit(answer: Answer, prompt: Prompt): KeyholdError {
  return new KeyholdError('unavailable', `FakeKeyholdApp: the decision ${JSON.stringify(answer)} does not answer an ${prompt.kind} window.`);
}
