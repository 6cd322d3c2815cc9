/**
 * The public types of `FakeKeyholdApp`: decisions, prompts, calls, options.
 * Only shared protocol types appear here, so the published declarations
 * need nothing beyond this package (no `@types/ws`, no core types).
 */
import type { FieldSpec, RequestType, SecretName } from '../../shared/bridge-protocol.js';
import type { ApprovalAction, PromptKind } from '../../shared/domain.js';

/** What the simulated user does with a window. */
export type FakeDecision =
  /** Approval window: Allow (this request only). */
  | 'allow'
  /** Approval window: Allow for session (until this MCP server disconnects). */
  | 'allow_session'
  /** Approval window: Deny → the request fails with `denied`. */
  | 'deny'
  /** Either window closed without an answer (entry Cancel) → `cancelled`. */
  | 'cancel'
  /** Nobody answers: the request fails with `timeout` at once, without waiting out the timeout. */
  | 'timeout'
  /** Leave the window open: answer it later with `prompt.answer(...)`, or let it time out or be cancelled. */
  | 'hold'
  /** Entry window: Save with these values (checked against the FieldSpecs, like the app does). */
  | { readonly save: Readonly<Record<string, string>> };

export type FakePromptOutcome = 'open' | 'allow' | 'allow_session' | 'deny' | 'save' | 'cancel' | 'timeout' | 'aborted';

/** A window the fake app showed. */
export interface FakePrompt {
  /** The bridge request id: the `id` of the pending event (what `keyhold://request/<id>` names). */
  readonly requestId: string;
  readonly kind: PromptKind;
  /** Approval windows: what the approval is for (`read` for `secrets.get`, `store` / `delete` for `secrets.put` / `secrets.delete`). */
  readonly action?: ApprovalAction;
  readonly server: string;
  /** The pid of the MCP server's process, as the app identified it. */
  readonly pid: number;
  /** Approval: the names asked for. Entry: the field names. */
  readonly names: readonly SecretName[];
  /** Entry window fields ([] for approval). */
  readonly fields: readonly FieldSpec[];
  readonly guide?: string;
  readonly reason?: string;
  readonly tool?: string;
  /** Entry window: stored values the MCP server reported as rejected, with its reason. */
  readonly rejected?: { readonly names: readonly SecretName[]; readonly reason?: string };
  /** `XXXX-XXXX`, as sent in the pending event. */
  readonly verificationCode: string;
  /** The window's own id (128 random bits): the pending event's `link`. */
  readonly link: string;
  readonly expiresAt: number;
  /** How the window ended: the decision given, `timeout`, or `aborted` (the MCP server cancelled or disconnected, or the app stopped). */
  readonly outcome: FakePromptOutcome;
  /** Answers the window if it is still open; false if it had already closed. */
  answer(decision: Exclude<FakeDecision, 'hold'>): boolean;
}

/** One request the fake app received (never with values). */
export interface FakeCall {
  readonly type: Exclude<RequestType, 'hello'>;
  readonly server: string;
  readonly names?: readonly SecretName[];
  readonly reason?: string;
  readonly tool?: string;
}

export interface FakeKeyholdAppOptions {
  /** Values already "in the keychain": `{ [server]: { [name]: value } }`. */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Decisions for the next windows, in order (same as calling `decide`). */
  readonly decisions?: readonly FakeDecision[];
  /** Decides windows the queue has no answer for; return undefined to leave the window open ('hold'). */
  readonly onPrompt?: (prompt: FakePrompt) => FakeDecision | undefined;
  /** Reported in `hello` (default `fake`). */
  readonly appVersion?: string;
}
