/**
 * The fake app's windows and its simulated user: one window at a time per
 * server (first come first served, waiting counts towards the timeout), each
 * recorded in `prompts` and answered by the next scripted decision, the
 * `onPrompt` policy, or a test by hand.
 */
import { KeyholdError } from '../../shared/keyhold-error.js';
import { raceAbort, timeoutError } from './abort.js';
import { openPrompt } from './fake-prompt.js';
import type { Answer, FakeDecision, FakeKeyholdAppOptions, FakePrompt, WindowRequest } from './fake-types.js';

/** A decision a window of that kind accepts: approvals get a string, entry windows `{ save }`. */
export type WindowDecision = Exclude<Answer, 'cancel' | 'timeout'>;

export class FakePromptQueue {
  private readonly script: FakeDecision[];
  private readonly waiters: Array<{ since: number; resolve: (prompt: FakePrompt) => void }> = [];
  private readonly turns = new Map<string, Promise<void>>();

  /** Records every window shown in `prompts` (the app's public list). */
  constructor(
    private readonly prompts: FakePrompt[],
    private readonly options: Pick<FakeKeyholdAppOptions, 'decisions' | 'onPrompt'>,
  ) {
    this.script = [...(options.decisions ?? [])];
  }

  /** Queues decisions for the next windows, one per window, in order. */
  decide(decisions: readonly FakeDecision[]): void {
    this.script.push(...decisions);
  }

  /** The window shown after the `since`-th, once it is. */
  next(since: number): Promise<FakePrompt> {
    const shown = this.prompts[since];
    if (shown !== undefined) return Promise.resolve(shown);
    return new Promise((resolve) => this.waiters.push({ since, resolve }));
  }

  /** Shows one window (after the server's earlier ones), waits for its decision, records it. */
  async show(window: WindowRequest): Promise<WindowDecision> {
    const { session, call } = window;
    const signal = call.signal;
    const release = await this.waitForTurn(session.server, signal);
    try {
      const prompt = openPrompt(window, call.requestId, call.expiresAt);
      this.prompts.push(prompt);
      call.onOpen(prompt);
      for (const waiter of this.waiters.filter((w) => this.prompts.length > w.since)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(this.prompts[waiter.since] ?? prompt);
      }
      const scripted = this.script.shift() ?? this.options.onPrompt?.(prompt) ?? 'hold';
      if (scripted !== 'hold') setImmediate(() => prompt.answer(scripted));
      const decision = await prompt.decided(signal);
      if (decision === 'cancel') throw new KeyholdError('cancelled', `The user closed the Keyhold ${window.kind} window.`);
      if (decision === 'timeout') throw timeoutError(call.timeoutMs);
      const fits = window.kind === 'entry' ? typeof decision !== 'string' : typeof decision === 'string';
      if (!fits) {
        throw new KeyholdError('unavailable', `FakeKeyholdApp: the decision ${JSON.stringify(decision)} does not answer an ${window.kind} window.`);
      }
      return decision;
    } finally {
      release();
    }
  }

  /** One window at a time per server, first come first served; waiting counts towards the timeout. */
  private async waitForTurn(server: string, signal: AbortSignal): Promise<() => void> {
    const previous = this.turns.get(server) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => mine);
    this.turns.set(server, chained);
    void chained.then(() => {
      if (this.turns.get(server) === chained) this.turns.delete(server);
    });
    try {
      await raceAbort(previous, signal);
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }
}
