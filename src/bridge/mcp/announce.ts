/**
 * Telling the user, through their MCP client, that a Keyhold window is open
 * and which verification code it shows. Picked by what the client declared:
 *
 * - URL-mode elicitation: `elicitation/create { mode: "url", url:
 *   "keyhold://request/<id>", elicitationId }`, and
 *   `notifications/elicitation/complete` once the window is done;
 * - form mode only: a message-only confirmation (no fields: the spec forbids
 *   asking for secrets in form mode); it closes when the window does;
 * - neither: a `notifications/message` log entry.
 * Plus, when the tool call carries a progressToken, a progress notification
 * with the same text, repeated every 15 s as a heartbeat while the user
 * decides (clients may reset their request timeout on progress).
 *
 * Declining (or dismissing) the elicitation calls `decline`, which cancels
 * the Keyhold request so the window closes too. A client that fails to show
 * the elicitation gets the log entry instead. Everything sent here is
 * related to the tool call (`relatedRequestId`), so HTTP transports route it
 * on that call's stream. Failures to notify never fail the tool call.
 */
import { randomUUID } from 'node:crypto';

import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ElicitRequestFormParams, ElicitRequestURLParams, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

import type { PendingEvent } from '../../shared/bridge-protocol.js';
import { keyholdRequestUrl, windowNotice, type NoticeStyle, type RequestSubject } from './messages.js';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export const PROGRESS_HEARTBEAT_MS = 15_000;
/** Extra time an elicitation may stay open past the window's own deadline. */
const ELICITATION_GRACE_MS = 2_000;

export interface Announcer {
  /** A Keyhold window opened for the request (there can be two: entry, then approval). */
  opened(event: PendingEvent): void;
  /** The request ended, whatever the outcome: close what the client still shows. */
  settled(): Promise<void>;
}

export interface AnnounceOptions {
  readonly server: Server;
  readonly extra: ToolExtra;
  readonly subject: RequestSubject;
  /** The user said no in the MCP client: cancel the Keyhold request. */
  readonly decline: () => void;
}

/** The style this client supports best. */
export function noticeStyleFor(server: Server): NoticeStyle {
  const elicitation = server.getClientCapabilities()?.elicitation;
  if (elicitation?.url !== undefined) return 'url';
  if (elicitation?.form !== undefined) return 'form';
  return 'log';
}

export function announcerFor(options: AnnounceOptions): Announcer {
  const style = noticeStyleFor(options.server);
  const main = style === 'log' ? new LogAnnouncer(options) : new ElicitationAnnouncer(style, options);
  const token = options.extra._meta?.progressToken;
  if (token === undefined) return main;
  const progress = new ProgressAnnouncer(options, token);
  return {
    opened: (event) => {
      main.opened(event);
      progress.opened(event);
    },
    settled: async () => {
      await Promise.all([main.settled(), progress.settled()]);
    },
  };
}

/** Sends a notice as a log entry (level `notice`, logger `keyhold`). */
export function sendLogNotice(extra: Pick<ToolExtra, 'sendNotification'>, message: string): Promise<void> {
  return extra
    .sendNotification({ method: 'notifications/message', params: { level: 'notice', logger: 'keyhold', data: message } })
    .catch(() => undefined);
}

class LogAnnouncer implements Announcer {
  private readonly sends: Array<Promise<void>> = [];

  constructor(private readonly options: AnnounceOptions) {}

  opened(event: PendingEvent): void {
    this.sends.push(sendLogNotice(this.options.extra, windowNotice(this.options.subject, event, 'log')));
  }

  async settled(): Promise<void> {
    await Promise.all(this.sends);
  }
}

interface Shown {
  readonly elicitationId: string;
  readonly abort: AbortController;
  answered: boolean;
  /** The client answered decline or cancel. */
  declined: boolean;
}

class ElicitationAnnouncer implements Announcer {
  private current: Shown | undefined;
  private readonly sends: Array<Promise<void>> = [];

  constructor(
    private readonly style: 'url' | 'form',
    private readonly options: AnnounceOptions,
  ) {}

  opened(event: PendingEvent): void {
    this.finish();
    const { server, extra, subject } = this.options;
    const shown: Shown = { elicitationId: randomUUID(), abort: new AbortController(), answered: false, declined: false };
    this.current = shown;
    const message = windowNotice(subject, event, this.style);
    const params: ElicitRequestURLParams | ElicitRequestFormParams =
      this.style === 'url'
        ? { mode: 'url', url: keyholdRequestUrl(event.id), elicitationId: shown.elicitationId, message }
        : { mode: 'form', message, requestedSchema: { type: 'object', properties: {} } };
    const timeout = Math.max(1_000, event.expiresAt - Date.now() + ELICITATION_GRACE_MS);
    server.elicitInput(params, { relatedRequestId: extra.requestId, signal: shown.abort.signal, timeout }).then(
      (result) => {
        shown.answered = true;
        shown.declined = result.action !== 'accept';
        if (shown.declined && this.current === shown) this.options.decline();
      },
      () => {
        shown.answered = true;
        // Not our abort: the client could not show it. The window is still on screen; say it in the log instead.
        if (!shown.abort.signal.aborted && this.current === shown) this.sends.push(sendLogNotice(extra, windowNotice(subject, event, 'log')));
      },
    );
  }

  async settled(): Promise<void> {
    this.finish();
    await Promise.all(this.sends);
  }

  /**
   * Closes the notice of the window that just ended. URL mode: report it
   * complete (unless the user declined), also when the client has not
   * answered yet (the notification is how it learns to drop the prompt).
   * Then abort an unanswered elicitation, so a form dialog goes away.
   */
  private finish(): void {
    const shown = this.current;
    if (shown === undefined) return;
    this.current = undefined;
    if (this.style === 'url' && !shown.declined) {
      try {
        const notify = this.options.server.createElicitationCompletionNotifier(shown.elicitationId, { relatedRequestId: this.options.extra.requestId });
        this.sends.push(notify().catch(() => undefined));
      } catch {
        // The client does not take completion notifications after all; nothing to close.
      }
    }
    if (!shown.answered) shown.abort.abort();
  }
}

class ProgressAnnouncer implements Announcer {
  private progress = 0;
  private message = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly sends: Array<Promise<void>> = [];

  constructor(
    private readonly options: AnnounceOptions,
    private readonly token: string | number,
  ) {}

  opened(event: PendingEvent): void {
    this.message = windowNotice(this.options.subject, event, 'log');
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
    const sent = this.options.extra
      .sendNotification({ method: 'notifications/progress', params: { progressToken: this.token, progress: this.progress, message: this.message } })
      .catch(() => undefined);
    this.sends.push(sent);
  }
}
