/**
 * One window of the fake app: what it shows (taken from the window request),
 * its verification code, and its answer, given once by the scripted user or
 * by a test, unless the request ends first.
 */
import { randomBytes } from 'node:crypto';

import { isKeyholdError } from '../../shared/keyhold-error.js';
import { raceAbort } from './abort.js';
import type { Answer, FakePrompt, FakePromptOutcome, WindowRequest } from './fake-types.js';

/** What a window shows about its request: the fields of `FakePrompt` that come from the window request. */
type PromptDetails = Pick<FakePrompt, 'kind' | 'server' | 'pid' | 'names' | 'fields' | 'guide' | 'reason' | 'tool' | 'rejected'>;

/** A window as the fake app holds it: the `FakePrompt` a test sees, plus `decided` for the request. */
export type OpenPrompt = PromptState & PromptDetails;

/** Opens a window for `window` (recorded under the request id, expiring with the request). */
export function openPrompt(window: WindowRequest, requestId: string, expiresAt: number): OpenPrompt {
  const { kind, session, names, fields, params, rejected } = window;
  // Every detail is an own property, undefined where the request gave none.
  const details: PromptDetails = {
    kind,
    server: session.server,
    pid: session.pid,
    names,
    fields,
    guide: kind === 'entry' ? params.guide : undefined,
    reason: params.reason,
    tool: params.tool,
    rejected,
  };
  return Object.assign(new PromptState(requestId, expiresAt), details);
}

/** The state of a window: its code, its outcome, and the answer the request waits for. */
class PromptState {
  readonly verificationCode = newVerificationCode();
  /** The app's own id of this window (128 random bits), sent as the pending event's `link`, as the app does. */
  readonly link = randomBytes(16).toString('base64url');
  outcome: FakePromptOutcome = 'open';
  private resolveAnswer: ((answer: Answer) => void) | undefined;
  private readonly answered: Promise<Answer>;

  constructor(
    readonly requestId: string,
    readonly expiresAt: number,
  ) {
    this.answered = new Promise((resolve) => (this.resolveAnswer = resolve));
  }

  answer(decision: Answer): boolean {
    if (this.outcome !== 'open' || this.resolveAnswer === undefined) return false;
    this.outcome = typeof decision === 'string' ? decision : 'save';
    this.resolveAnswer(decision);
    this.resolveAnswer = undefined;
    return true;
  }

  /** The answer, or the abort reason (timeout, cancel, disconnect, shutdown) once the window is closed for good. */
  async decided(signal: AbortSignal): Promise<Answer> {
    try {
      return await raceAbort(this.answered, signal);
    } catch (error) {
      if (this.outcome === 'open') {
        this.outcome = isKeyholdError(error, 'timeout') ? 'timeout' : 'aborted';
        this.resolveAnswer = undefined;
      }
      throw error;
    }
  }
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** `XXXX-XXXX` from a CSPRNG, in the app's alphabet (no 0/O, 1/I). */
function newVerificationCode(): string {
  let code = '';
  for (const byte of randomBytes(8)) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
