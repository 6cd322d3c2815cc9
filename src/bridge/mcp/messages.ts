/**
 * Every sentence the MCP helpers show: what the MCP client tells the user while
 * a Keyhold window is open, and the tool errors when no value comes back.
 *
 * Rules: name the server, the secrets and the tool; put the verification code
 * in every notice, verbatim (`XXXX-XXXX`), so the user can match it with the
 * window; say what happens next. Never a value, never a stack trace. Tool
 * errors are read by the model too, so they say whether retrying makes sense.
 */
import type { PendingEvent } from '../../shared/bridge-protocol.js';
import type { KeyholdError } from '../../shared/keyhold-error.js';

/** What the notices are about: one Keyhold request. */
export interface RequestSubject {
  /** The MCP server's name in Keyhold. */
  readonly serverName: string;
  readonly names: readonly string[];
  readonly tool?: string | undefined;
}

/** How the notice reaches the user: URL-mode elicitation, message-only form elicitation, or a log/progress notification. */
export type NoticeStyle = 'url' | 'form' | 'log';

/** `keyhold://request/<id>`: the app maps the bridge request id to its window and brings it to the front. */
export function keyholdRequestUrl(requestId: string): string {
  return `keyhold://request/${encodeURIComponent(requestId)}`;
}

/** The notice for one open window; always contains `event.verificationCode`. */
export function windowNotice(subject: RequestSubject, event: PendingEvent, style: NoticeStyle, now = Date.now()): string {
  const names = listNames(subject.names);
  const tool = subject.tool === undefined ? '' : ` (tool ${subject.tool})`;
  const what =
    event.kind === 'approval'
      ? `Keyhold is asking you to let "${subject.serverName}" use ${names}${tool}.`
      : `Keyhold is asking you to enter ${names} for "${subject.serverName}"${tool}. Type it in the Keyhold window, never in this chat.`;
  const check = `Answer only if the Keyhold window shows the verification code ${event.verificationCode}.`;
  const next =
    style === 'url'
      ? 'Open the link to bring the window to the front.'
      : style === 'form'
        ? 'Answer in the Keyhold window; decline here to cancel the request.'
        : `The tool call waits for your answer (at most ${describeDuration(Math.max(0, event.expiresAt - now))}).`;
  return `${what} ${check} ${next}`;
}

/** The message of the -32042 error a `failFast` tool throws: the client shows it, then retries the call. */
export function failFastMessage(subject: RequestSubject): string {
  const tool = subject.tool ?? 'The tool';
  return `${tool} needs ${listNames(subject.names)} from Keyhold: answer the Keyhold window, then run it again.`;
}

/** The tool result of a call that returned while its Keyhold window still waits (the next call gets the answer). */
export function stillWaitingText(subject: RequestSubject, verificationCode: string | undefined): string {
  const tool = subject.tool ?? 'The tool';
  const check = verificationCode === undefined ? '' : ` (verification code ${verificationCode})`;
  return `${tool} is waiting for the user: approve the Keyhold window for ${listNames(subject.names)}${check}, then ask to run it again. The answer is kept for the next call; no second window opens.`;
}

/** Why the helper itself ended a request, when it did; changes the wording of `cancelled`. */
export type CancelCause = 'declined' | 'client_cancelled' | undefined;

/** The tool error text for a request that ended without values. */
export function failureText(error: KeyholdError, subject: RequestSubject, cause: CancelCause = undefined): string {
  const tool = subject.tool ?? 'The tool';
  const names = listNames(subject.names);
  const server = `"${subject.serverName}"`;
  switch (error.code) {
    case 'denied':
      return `${tool} did not run: the user denied ${server} access to ${names} in Keyhold. Do not retry unless the user asks to.`;
    case 'cancelled':
      if (cause === 'declined') return `${tool} did not run: the user declined the Keyhold request in the MCP client, so Keyhold closed its window.`;
      if (cause === 'client_cancelled') return `${tool} was cancelled by the MCP client; Keyhold closed its window.`;
      return `${tool} did not run: the Keyhold window for ${names} was closed without an answer, or Keyhold quit. Run it again if the user wants to.`;
    case 'timeout':
      return `${tool} did not run: nobody answered the Keyhold window for ${names} in time. Run it again when the user is at the computer.`;
    case 'not_found':
      return `${tool} did not run: the keychain no longer holds ${names} (it was deleted outside Keyhold). Run it again to enter a new value.`;
    case 'busy':
      return `${tool} did not run: Keyhold already has too many requests from ${server} waiting for the user. Answer them in Keyhold, then try again.`;
    case 'unavailable':
    case 'unauthorized':
      return `${tool} needs ${names} from Keyhold, which could not be reached. ${error.message}`;
    case 'invalid_request':
      return `${tool} could not get ${names} from Keyhold: ${error.message}`;
  }
}

/** The tool error text when the upstream API kept rejecting a value. */
export function rejectedText(subject: RequestSubject, rejected: readonly string[], reason: string | undefined): string {
  const tool = subject.tool ?? 'The tool';
  const because = reason === undefined ? '' : ` (${reason})`;
  return `${tool} failed: the service rejected ${listNames(rejected)}${because}. Keyhold will ask the user for a new value on the next call.`;
}

export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? 'no secret';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;
}

export function describeDuration(ms: number): string {
  if (ms < 90_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  return `${Math.round(ms / 60_000)} min`;
}
