/**
 * Telling the user, through their MCP client, that a Keyhold window is open
 * and which verification code it shows — while a call waits in the handler.
 * (Calls that return `input_required` or `-32042` carry the notice in that
 * answer instead; see secret-flow.ts.) Picked by what the call allows:
 *
 * - legacy era, URL-mode elicitation: `elicitation/create { mode: "url",
 *   url: http://127.0.0.1:<port>/request/<link>, elicitationId }`, and
 *   `notifications/elicitation/complete` once the window is done;
 * - legacy era, form mode only: a message-only form (no fields: the spec
 *   forbids asking for secrets in forms); it is withdrawn when the window closes;
 * - otherwise a `notifications/message` log entry, where the era and the
 *   client allow one (legacy: the logging capability; modern: the request
 *   carried a log level).
 * Plus, when the call carries a progressToken, a progress notification with
 * the same text, repeated every 15 s as a heartbeat (clients may reset their
 * timeout on progress).
 *
 * Declining the elicitation calls `decline`, which ends the Keyhold request so
 * the window closes too. A client that fails to show the elicitation gets the
 * log entry instead. Failures to notify never fail the tool call.
 */
import { randomUUID } from 'node:crypto';

import type { PendingEvent } from '../../shared/bridge-protocol.js';
import type { McpCall } from './mcp-call.js';
import { windowNotice, type RequestSubject } from './messages.js';

export const PROGRESS_HEARTBEAT_MS = 15_000;
/** Extra time an elicitation may stay open past the window's own deadline. */
const ELICITATION_GRACE_MS = 2_000;

export interface Notices {
  /** A Keyhold window opened (there can be two: entry, then approval). `link` is its http link, when the app gave one. */
  opened(event: PendingEvent, link: string | undefined): void;
  /** The call stops waiting. `withdraw` (client cancelled): close what the client shows without reporting completion. */
  settled(options?: { readonly withdraw?: boolean }): Promise<void>;
}

export interface NoticeOptions {
  readonly call: McpCall;
  readonly subject: RequestSubject;
  /** The user said no in the MCP client: end the Keyhold request. */
  readonly decline: () => void;
}

export function noticesFor(options: NoticeOptions): Notices {
  const parts: Notices[] = [];
  const { call } = options;
  parts.push(call.era === 'legacy' && call.elicit !== undefined && (call.abilities.url || call.abilities.form) ? new ElicitationNotices(options) : new LogNotices(call, options.subject));
  if (call.progressToken !== undefined) parts.push(new ProgressNotices(call, options.subject, call.progressToken));
  return {
    opened: (event, link) => {
      for (const part of parts) part.opened(event, link);
    },
    settled: async (settleOptions) => {
      await Promise.all(parts.map((part) => part.settled(settleOptions)));
    },
  };
}

/** Sends a notice as a log entry (level `notice`, logger `keyhold`) where the call allows one. */
export function sendLogNotice(call: McpCall, message: string): Promise<void> {
  if (!call.abilities.log) return Promise.resolve();
  return call.notify({ method: 'notifications/message', params: { level: 'notice', logger: 'keyhold', data: message } });
}

class LogNotices implements Notices {
  private readonly sends: Array<Promise<void>> = [];

  constructor(
    private readonly call: McpCall,
    private readonly subject: RequestSubject,
  ) {}

  opened(event: PendingEvent): void {
    this.sends.push(sendLogNotice(this.call, windowNotice(this.subject, event, 'log')));
  }

  async settled(): Promise<void> {
    await Promise.all(this.sends);
  }
}

interface Shown {
  readonly elicitationId: string | undefined;
  readonly abort: AbortController;
  answered: boolean;
  declined: boolean;
}

class ElicitationNotices implements Notices {
  private current: Shown | undefined;
  private readonly sends: Array<Promise<void>> = [];

  constructor(private readonly options: NoticeOptions) {}

  opened(event: PendingEvent, link: string | undefined): void {
    this.finish(false);
    const { call, subject } = this.options;
    const url = call.abilities.url ? link : undefined;
    if (url === undefined && !call.abilities.form) {
      // A URL-only client and an app that sent no link: the log is all there is.
      this.sends.push(sendLogNotice(call, windowNotice(subject, event, 'log')));
      return;
    }
    const shown: Shown = { elicitationId: url === undefined ? undefined : randomUUID(), abort: new AbortController(), answered: false, declined: false };
    this.current = shown;
    const timeoutMs = Math.max(1_000, event.expiresAt - Date.now() + ELICITATION_GRACE_MS);
    const message = windowNotice(subject, event, url === undefined ? 'form' : 'url');
    const elicitation = url === undefined ? { mode: 'form' as const, message } : { mode: 'url' as const, url, message, elicitationId: shown.elicitationId ?? '' };
    const sent = call.elicit?.(elicitation, { signal: shown.abort.signal, timeoutMs }) ?? Promise.reject(new Error('no elicitation'));
    sent.then(
      (result) => {
        shown.answered = true;
        shown.declined = result.action !== 'accept';
        if (shown.declined && this.current === shown) this.options.decline();
      },
      () => {
        shown.answered = true;
        // Not our abort: the client could not show it. The window is still on screen; say it in the log instead.
        if (!shown.abort.signal.aborted && this.current === shown) this.sends.push(sendLogNotice(call, windowNotice(subject, event, 'log')));
      },
    );
  }

  async settled(options: { readonly withdraw?: boolean } = {}): Promise<void> {
    this.finish(options.withdraw === true);
    await Promise.all(this.sends);
  }

  /**
   * Closes the notice of the window that just ended: a URL elicitation is
   * reported complete (unless declined or withdrawn), also when the client has
   * not answered yet; an unanswered elicitation is then aborted, so a form
   * dialog goes away.
   */
  private finish(withdraw: boolean): void {
    const shown = this.current;
    if (shown === undefined) return;
    this.current = undefined;
    const complete = this.options.call.completeElicitation;
    if (shown.elicitationId !== undefined && !shown.declined && !withdraw && complete !== undefined) this.sends.push(complete(shown.elicitationId));
    if (!shown.answered) shown.abort.abort();
  }
}

class ProgressNotices implements Notices {
  private progress = 0;
  private message = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly sends: Array<Promise<void>> = [];

  constructor(
    private readonly call: McpCall,
    private readonly subject: RequestSubject,
    private readonly token: string | number,
  ) {}

  opened(event: PendingEvent): void {
    this.message = windowNotice(this.subject, event, 'log');
    this.send();
    this.timer ??= setInterval(() => this.send(), PROGRESS_HEARTBEAT_MS);
    this.timer.unref();
  }

  async settled(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.sends);
  }

  private send(): void {
    this.progress += 1;
    this.sends.push(this.call.notify({ method: 'notifications/progress', params: { progressToken: this.token, progress: this.progress, message: this.message } }));
  }
}
