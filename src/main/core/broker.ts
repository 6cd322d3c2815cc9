/**
 * The request broker: turns "this server needs the user" into exactly one
 * prompt at a time per server, each with its own verification code and
 * deadline, and gets the answer back from the prompter.
 *
 * - Per server a FIFO: one prompt showing, at most `maxQueuedPerServer`
 *   waiting; more → `busy`. One server flooding prompts never blocks another.
 * - The deadline counts from arrival (default 300 s) → `timeout`.
 * - The client's `cancel`, its disconnect, or app shutdown → `cancelled`; the
 *   prompter's signal is aborted so the window closes.
 * - Every prompt's client-chosen display text is neutralised before any
 *   prompter sees it (prompt-text.ts: no blank-looking, invisible or bidi
 *   control characters).
 */
import { randomBytes } from 'node:crypto';

import { DEFAULT_REQUEST_TIMEOUT_MS, type ServerName } from '../../shared/bridge-protocol.js';
import { KeyholdError } from '../../shared/keyhold-error.js';
import type { ApprovalDecision, ApprovalPrompt, EntryOutcome, EntryPrompt, Prompt, Prompter } from './prompter.js';
import { neutralizePromptText } from './prompt-text.js';
import { newVerificationCode } from './verification-code.js';

export const DEFAULT_MAX_QUEUED_PER_SERVER = 8;
/** How many ended prompt ids the broker remembers, so a late `GET /request/<id>` can say "ended" rather than "unknown". */
const ENDED_MEMORY = 256;

/**
 * A prompt id: 128 random bits, base64url. It doubles as the request link
 * (`http://127.0.0.1:<port>/request/<id>`, `keyhold://request/<id>`) that the
 * `pending` event hands to the MCP server, so it must not be guessable: the
 * link is served without the bridge token.
 */
export function newPromptId(): string {
  return randomBytes(16).toString('base64url');
}

/** What a request link names now. */
export type LinkState = 'showing' | 'ended' | 'unknown';

type PromptFields<P extends Prompt> = Omit<P, 'id' | 'verificationCode' | 'expiresAt'>;

export interface AskOptions {
  /** Aborted by the client's cancel or its disconnect. */
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** Called the moment the prompt is handed to the prompter (the `pending` event). */
  readonly onOpen?: (prompt: Prompt) => void;
}

export interface BrokerOptions {
  readonly prompter: Prompter;
  readonly timeoutMs?: number;
  readonly maxQueuedPerServer?: number;
  readonly now?: () => number;
}

interface ServerQueue {
  active: number;
  waiting: Array<() => void>;
}

export class Broker {
  private readonly queues = new Map<ServerName, ServerQueue>();
  private readonly showing = new Map<string, Prompt>();
  private readonly ended = new Set<string>();
  private readonly shutdown = new AbortController();

  constructor(private readonly options: BrokerOptions) {}

  approve(fields: PromptFields<ApprovalPrompt>, options: AskOptions = {}): Promise<ApprovalDecision> {
    return this.ask(fields, options, (prompt, signal) => this.options.prompter.approve(prompt as ApprovalPrompt, signal));
  }

  enter(fields: PromptFields<EntryPrompt>, options: AskOptions = {}): Promise<EntryOutcome> {
    return this.ask(fields, options, (prompt, signal) => this.options.prompter.enter(prompt as EntryPrompt, signal));
  }

  /** Whether a request link's id names a prompt on screen, one that ended recently, or nothing this broker made. */
  linkState(promptId: string): LinkState {
    if (this.showing.has(promptId)) return 'showing';
    return this.ended.has(promptId) ? 'ended' : 'unknown';
  }

  focus(promptId: string): boolean {
    if (!this.showing.has(promptId)) return false;
    this.options.prompter.focus?.(promptId);
    return true;
  }

  /** Ends every prompt, showing or waiting, with `cancelled`. New asks fail at once. */
  close(): void {
    this.shutdown.abort(new KeyholdError('cancelled', 'Keyhold is shutting down.'));
  }

  private async ask<T>(
    fields: PromptFields<Prompt>,
    options: AskOptions,
    show: (prompt: Prompt, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const expiresAt = this.now() + timeoutMs;
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new KeyholdError('timeout', `Nobody answered the Keyhold window within ${Math.round(timeoutMs / 1000)} s.`)),
      timeoutMs,
    );
    const signals = [this.shutdown.signal, timeout.signal, ...(options.signal === undefined ? [] : [options.signal])];
    const signal = AbortSignal.any(signals);
    try {
      throwIfAborted(signal);
      await this.waitForTurn(fields.server, signal);
      try {
        throwIfAborted(signal);
        const prompt = neutralizePromptText({ ...fields, id: newPromptId(), verificationCode: newVerificationCode(), expiresAt } as Prompt);
        this.showing.set(prompt.id, prompt);
        try {
          options.onOpen?.(prompt);
          return await raceAbort(show(prompt, signal), signal);
        } finally {
          this.showing.delete(prompt.id);
          this.remember(prompt.id);
        }
      } finally {
        this.leave(fields.server);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private waitForTurn(server: ServerName, signal: AbortSignal): Promise<void> {
    const queue = this.queues.get(server) ?? { active: 0, waiting: [] };
    this.queues.set(server, queue);
    if (queue.active === 0) {
      queue.active = 1;
      return Promise.resolve();
    }
    const cap = this.options.maxQueuedPerServer ?? DEFAULT_MAX_QUEUED_PER_SERVER;
    if (queue.waiting.length >= cap) {
      return Promise.reject(
        new KeyholdError('busy', `Server "${server}" already has ${cap} requests waiting for the user; try again after they are answered.`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const turn = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        queue.waiting.splice(queue.waiting.indexOf(turn), 1);
        reject(abortReason(signal));
      };
      queue.waiting.push(turn);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands the turn to the next waiting request, or frees the server's slot. */
  private leave(server: ServerName): void {
    const queue = this.queues.get(server);
    if (queue === undefined) return;
    const next = queue.waiting.shift();
    if (next !== undefined) {
      next();
      return;
    }
    queue.active = 0;
    this.queues.delete(server);
  }

  private remember(promptId: string): void {
    this.ended.add(promptId);
    if (this.ended.size > ENDED_MEMORY) this.ended.delete(this.ended.values().next().value as string);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

function abortReason(signal: AbortSignal): KeyholdError {
  const reason: unknown = signal.reason;
  return reason instanceof KeyholdError ? reason : new KeyholdError('cancelled', 'The request was cancelled.');
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}

/** Settles with the prompter's answer, or with the abort reason the moment the signal fires. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) reject(abortReason(signal));
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? abortReason(signal) : error);
      },
    );
  });
}
