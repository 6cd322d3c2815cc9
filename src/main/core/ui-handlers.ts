/**
 * What each window may ask of main, implemented once for every host: the
 * Electron IPC router and the browser test harness both call `dispatchUi`.
 *
 * The caller's identity is a WindowContext that main derived from the sender
 * (which window, opened for which prompt) — never from the payload. A window
 * may call only its own kind's methods, and an approval or entry window only
 * ever sees and answers the prompt it was opened for.
 */
import { validateEntry } from '../../shared/field-validation.js';
import {
  approvalViewSchema,
  entryViewSchema,
  managerStateSchema,
  requestSchema,
  type ApprovalView,
  type CommandStatus,
  type EntryView,
  type IpcResponse,
  type ManagerState,
  type MethodOf,
  type WindowKind,
} from '../../shared/ipc-contract.js';
import type { PromptKind } from '../../shared/domain.js';
import type { ActivityEntry } from './activity-log.js';
import type { KeyholdCore } from './keyhold-core.js';
import type { PromptBoard } from './prompt-board.js';
import { ruleCandidates } from './rule-candidates.js';
import { MANAGER } from './secret-changes.js';
import type { ApprovalDecision, ApprovalPrompt, EntryPrompt, Prompt } from './prompter.js';

/** An approval or entry window showing one prompt. */
export type PromptWindowContext = { readonly kind: PromptKind; readonly promptId: string };
/** A pre-loaded ("warm") prompt window that serves no prompt yet: every call it makes is refused until main assigns it one. */
export type WarmWindowContext = { readonly kind: PromptKind; readonly warm: true };
export type WindowContext = PromptWindowContext | WarmWindowContext | { readonly kind: 'manager' };

export interface UiHandlerDeps {
  /** Reads the stores; every change goes through `core.changes`, as the manager. */
  readonly core: Pick<KeyholdCore, 'vault' | 'grants' | 'rules' | 'settings' | 'activity' | 'changes' | 'sessions'>;
  readonly board: PromptBoard;
  /** Start at login lives in the OS (Electron's login item settings). */
  readonly loginItem: { get(): boolean; set(enabled: boolean): void };
  /** Opens an https URL in the system browser. Called only for allowlisted links. */
  readonly openExternal: (url: string) => Promise<void>;
  readonly linkAllowlist: readonly string[];
  /** The `keyhold` command on PATH (src/main/command-install); only the packaged app has one. */
  readonly commandInstaller?: { status(): Promise<CommandStatus>; install(): Promise<CommandStatus>; remove(): Promise<CommandStatus> };
}

const NO_COMMAND_INSTALLER: CommandStatus = {
  state: 'unavailable',
  detail: 'Only the installed Keyhold app puts the keyhold command on PATH. From a checkout: npm run build, then npm link.',
};

/** A refused UI request: wrong window, bad payload, or a prompt that is gone. The message names no value. */
export class UiRequestRejected extends Error {
  override readonly name = 'UiRequestRejected';
}

type Handlers = {
  readonly [W in WindowKind]: {
    readonly [M in MethodOf<W>]: (context: WindowContext, request: never) => Promise<IpcResponse<W, M>>;
  };
};

export function createUiHandlers(deps: UiHandlerDeps): Handlers {
  const { core, board } = deps;

  return {
    approval: {
      load: async (context) => approvalView(promptFor(board, context, 'approval')),
      decide: async (context, request: { decision: ApprovalDecision }) => {
        if (!board.answerApproval(promptFor(board, context, 'approval').id, request.decision)) throw gone();
        return {};
      },
    },
    entry: {
      load: async (context) => entryView(promptFor(board, context, 'entry')),
      submit: async (context, request: { values: Record<string, string> }) => {
        const prompt = promptFor(board, context, 'entry');
        const values = Object.fromEntries(prompt.fields.map((f) => [f.name, Object.hasOwn(request.values, f.name) ? (request.values[f.name] ?? '') : '']));
        const errors = validateEntry(prompt.fields, values);
        if (Object.keys(errors).length > 0) return { ok: false as const, errors };
        if (!board.answerEntry(prompt.id, { action: 'save', values })) throw gone();
        return { ok: true as const };
      },
      cancel: async (context) => {
        board.answerEntry(promptFor(board, context, 'entry').id, { action: 'cancel' });
        return {};
      },
      openLink: async (context, request: { url: string }) => {
        promptFor(board, context, 'entry');
        if (!isAllowedLink(request.url, deps.linkAllowlist)) return { opened: false };
        await deps.openExternal(new URL(request.url).toString());
        return { opened: true };
      },
    },
    manager: {
      load: async () => managerState(deps),
      // Filtering happens in the window (activity-labels.ts matchesFilter), over the words it shows.
      activity: async (_context, request: { limit?: number }) => (await core.activity.read({ limit: request.limit ?? 500 })).map(toActivityRow),
      revokeGrant: async (_context, request: { grantId: string }) => {
        core.changes.revokeGrant(request.grantId, MANAGER);
        return {};
      },
      revokeAll: async () => ({ revoked: core.changes.revokeAll(MANAGER) }),
      deleteSecret: async (_context, request: { server: string; name: string }) => {
        await core.changes.delete(request.server, [request.name], MANAGER);
        return {};
      },
      addSecret: async (_context, request: { server: string; name: string; value: string }) => {
        if (!(await core.changes.add(request.server, request.name, request.value, MANAGER))) {
          throw new UiRequestRejected(`"${request.name}" is already stored for "${request.server}". Use Replace to change its value.`);
        }
        return {};
      },
      replaceSecret: async (_context, request: { server: string; name: string; value: string }) => {
        await core.changes.replace(request.server, request.name, request.value, MANAGER);
        return {};
      },
      revealSecret: async (_context, request: { server: string; name: string }) => ({
        value: await core.changes.reveal(request.server, request.name, MANAGER),
      }),
      ruleCandidates: async (_context, request: { server: string; name: string }) => ruleCandidates(core.sessions(), core.changes, request.server, request.name),
      addRule: async (_context, request: { server: string; name: string; candidate: string }) => {
        const chosen = ruleCandidates(core.sessions(), core.changes, request.server, request.name).find((c) => c.key === request.candidate);
        if (chosen === undefined) throw new UiRequestRejected('That process is no longer connected or known; choose again.');
        return core.changes.addRule(request.server, request.name, chosen.identity, MANAGER);
      },
      removeRule: async (_context, request: { ruleId: string }) => {
        await core.changes.removeRule(request.ruleId, MANAGER);
        return {};
      },
      updateSettings: async (_context, request: { grantTtlMinutes?: number; startAtLogin?: boolean }) => {
        await core.changes.updateSettings(request);
        if (request.startAtLogin !== undefined) deps.loginItem.set(request.startAtLogin);
        return { grantTtlMinutes: core.settings.get().grantTtlMinutes, startAtLogin: deps.loginItem.get() };
      },
      focusPrompt: async (_context, request: { promptId: string }) => {
        const known = board.get(request.promptId) !== undefined;
        board.focus(request.promptId);
        return { focused: known };
      },
      commandStatus: async () => (await deps.commandInstaller?.status()) ?? NO_COMMAND_INSTALLER,
      installCommand: async () => (await deps.commandInstaller?.install()) ?? NO_COMMAND_INSTALLER,
      removeCommand: async () => (await deps.commandInstaller?.remove()) ?? NO_COMMAND_INSTALLER,
    },
  };
}

/**
 * The single entry point for a UI request: checks the window may call this
 * method, parses the payload with the contract, runs the handler.
 */
export async function dispatchUi(handlers: Handlers, context: WindowContext, window: WindowKind, method: string, payload: unknown): Promise<unknown> {
  if (context.kind !== window) throw new UiRequestRejected(`A ${context.kind} window may not call ${window}.${method}.`);
  const methods = handlers[window] as Record<string, (context: WindowContext, request: never) => Promise<unknown>>;
  const handler = Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (handler === undefined) throw new UiRequestRejected(`Unknown method ${window}.${method}.`);
  const parsed = requestSchema(window, method as MethodOf<typeof window>).safeParse(payload);
  if (!parsed.success) {
    throw new UiRequestRejected(`Bad payload for ${window}.${method}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'} ${i.code}`).join(', ')}`);
  }
  return handler(context, parsed.data as never);
}

export function managerState(deps: Pick<UiHandlerDeps, 'core' | 'board' | 'loginItem'>): ManagerState {
  const { core, board } = deps;
  return managerStateSchema.parse({
    servers: core.vault.servers().map((server) => ({
      name: server,
      secrets: core.vault.list(server).map((s) => ({
        name: s.name,
        created: s.created,
        updated: s.updated,
        lastUsed: s.lastUsed,
        invalidated: s.invalidated,
        alwaysAllowed: core.rules.has(server, s.name),
      })),
    })),
    grants: core.grants.list().map((g) => ({ id: g.id, server: g.server, pid: g.pid, names: [...g.names], createdAt: g.createdAt, expiresAt: g.expiresAt })),
    rules: core.rules.list(),
    settings: { grantTtlMinutes: core.settings.get().grantTtlMinutes, startAtLogin: deps.loginItem.get() },
    pending: board.list().map((p) => ({ promptId: p.id, kind: p.kind, server: p.server, verificationCode: p.verificationCode, expiresAt: p.expiresAt })),
  });
}

export function isAllowedLink(raw: string, allowlist: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return false;
  const host = url.hostname.toLowerCase();
  return allowlist.some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
}

function promptFor(board: PromptBoard, context: WindowContext, kind: 'approval'): ApprovalPrompt;
function promptFor(board: PromptBoard, context: WindowContext, kind: 'entry'): EntryPrompt;
function promptFor(board: PromptBoard, context: WindowContext, kind: Prompt['kind']): Prompt {
  if (context.kind !== kind) throw new UiRequestRejected(`Only the ${kind} window may do this.`);
  if (!('promptId' in context)) throw new UiRequestRejected('This window has no request yet.');
  const prompt = board.get(context.promptId);
  if (prompt === undefined || prompt.kind !== kind) throw gone();
  return prompt;
}

function gone(): UiRequestRejected {
  return new UiRequestRejected('This request is no longer open (answered, timed out or cancelled).');
}

function baseView(prompt: Prompt) {
  return {
    promptId: prompt.id,
    server: prompt.server,
    serverVersion: prompt.serverVersion,
    process: {
      pid: prompt.process.pid,
      claimedPid: prompt.process.claimedPid,
      verified: prompt.process.verified,
      executable: prompt.process.executable,
      commandLine: prompt.process.commandLine,
      identity: prompt.process.identity,
      unverifiedReason: prompt.process.unverifiedReason,
      holders: prompt.process.holders?.map((h) => ({ pid: h.pid, executable: h.executable })),
    },
    reason: prompt.reason,
    tool: prompt.tool,
    verificationCode: prompt.verificationCode,
    expiresAt: prompt.expiresAt,
  };
}

function approvalView(prompt: ApprovalPrompt): ApprovalView {
  return approvalViewSchema.parse({
    ...baseView(prompt),
    names: [...prompt.names],
    action: prompt.action,
    ruleNote: prompt.ruleNote,
    ruleIdentity: prompt.ruleIdentity,
  });
}

function entryView(prompt: EntryPrompt): EntryView {
  return entryViewSchema.parse({
    ...baseView(prompt),
    fields: [...prompt.fields],
    guide: prompt.guide,
    rejected: prompt.rejected === undefined ? undefined : { names: [...prompt.rejected.names], reason: prompt.rejected.reason },
  });
}

/** The IPC row has no `count` yet: a summary of repeats says it in `detail` ("57 more", "not_found, 57 more"). */
function toActivityRow(entry: ActivityEntry): Omit<ActivityEntry, 'count' | 'unlistedNames'> {
  const { count, unlistedNames, ...row } = entry;
  if (count === undefined) return row;
  const unlisted = unlistedNames === undefined ? '' : `, ${unlistedNames} names not listed`;
  return { ...row, detail: `${row.detail === undefined ? '' : `${row.detail}, `}${count} more${unlisted}` };
}
