/**
 * The seam between the core and whatever shows windows to the user: Electron
 * BrowserWindows in the app, pages in headless Chromium in tests, the terminal
 * in `keyhold serve`. The core never knows which one it talks to.
 *
 * A prompter shows one prompt per call and settles with the user's answer.
 * The core closes a prompt by aborting its signal (timeout, client cancel,
 * app shutdown); the prompter must then take the prompt off screen and may
 * reject or resolve — the core ignores anything after the abort.
 */
import type { FieldSpec, SecretName, ServerName } from '../../shared/bridge-protocol.js';
import type { ApprovalAction, ApprovalDecision, PromptKind } from '../../shared/domain.js';
import type { ProcessIdentity, UnverifiedReason } from '../../shared/process-identity.js';

export type { ApprovalAction, ApprovalDecision };

/** What the app knows about the process behind a bridge connection. */
export interface ProcessInfo {
  /** The pid the process claims in `hello`. */
  readonly claimedPid: number;
  /** The pid that owns the connection's socket, when the OS lets us find it. */
  readonly pid: number;
  /** Path of the executable, when known. */
  readonly executable?: string;
  /** Command line (arguments joined by spaces, trimmed), when known. */
  readonly commandLine?: string;
  /** True when pid and executable were read from the OS (Linux /proc), not taken from the client's word. */
  readonly verified: boolean;
  /**
   * The identity an always-allow rule can be bound to and matched against
   * (shared/process-identity.ts): set only when the one process holding the
   * connection is the one that said hello, and what it runs could be read.
   */
  readonly identity?: ProcessIdentity;
  /** Why there is no identity (rules never apply then); absent when there is one. */
  readonly unverifiedReason?: UnverifiedReason;
  /** Every process holding the connection, when more than one does (a shared socket). */
  readonly holders?: readonly { readonly pid: number; readonly executable?: string }[];
}

interface PromptBase {
  /** Unique per prompt, used by `focus` and by the window registry. */
  readonly id: string;
  /**
   * The client's id of the request behind this prompt (the `pending` event's id):
   * what an MCP server puts in `keyhold://request/<id>`, so a click on that link can
   * bring this window to the front.
   */
  readonly requestId?: string;
  readonly server: ServerName;
  readonly serverVersion?: string;
  readonly process: ProcessInfo;
  readonly reason?: string;
  readonly tool?: string;
  /** `XXXX-XXXX`, shown in the window and sent to the MCP server. */
  readonly verificationCode: string;
  /** Milliseconds since the epoch when the core gives up on the prompt. */
  readonly expiresAt: number;
}


export interface ApprovalPrompt extends PromptBase {
  readonly kind: Extract<PromptKind, 'approval'>;
  readonly names: readonly SecretName[];
  /** Default `read`. */
  readonly action?: ApprovalAction;
  /** Why an always-allow rule for these secrets did not apply (unverified process, other identity, no identity yet). */
  readonly ruleNote?: string;
  /** For `always_allow` / `remove_rule`: the process the rule is bound to. */
  readonly ruleIdentity?: ProcessIdentity;
}

export interface EntryPrompt extends PromptBase {
  readonly kind: Extract<PromptKind, 'entry'>;
  readonly fields: readonly FieldSpec[];
  /** Markdown shown above the fields; the UI renders it sanitised. */
  readonly guide?: string;
  /** Names whose stored value the MCP server reported as rejected, with its reason. */
  readonly rejected?: { readonly names: readonly SecretName[]; readonly reason?: string };
}

export type Prompt = ApprovalPrompt | EntryPrompt;


export type EntryOutcome =
  | { readonly action: 'save'; readonly values: Readonly<Record<string, string>> }
  | { readonly action: 'cancel' };

export interface Prompter {
  approve(prompt: ApprovalPrompt, signal: AbortSignal): Promise<ApprovalDecision>;
  enter(prompt: EntryPrompt, signal: AbortSignal): Promise<EntryOutcome>;
  /** Brings the prompt's window to the front, if it is showing. */
  focus?(promptId: string): void;
}
