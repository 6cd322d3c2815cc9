/**
 * The tray menu as a pure function of state. Items carry a typed `action`
 * instead of a click callback; tray.ts turns them into an Electron menu and
 * routes the actions. Nothing here knows Electron, so the whole menu —
 * counts, labels, empty states, which item does what — is unit-tested.
 *
 * Shows: how many requests wait, each of them (click: bring its window
 * forward), session grants (revoke one, or all: "Lock"), stored secrets by
 * server, Open Keyhold, Start at login, Quit. Never a value.
 */
export type TrayAction =
  | { readonly type: 'focus-prompt'; readonly promptId: string }
  | { readonly type: 'revoke-grant'; readonly grantId: string }
  | { readonly type: 'revoke-all' }
  | { readonly type: 'open-manager' }
  | { readonly type: 'toggle-login' }
  | { readonly type: 'quit' };

export interface TrayMenuItem {
  readonly label?: string;
  readonly type?: 'normal' | 'separator' | 'submenu' | 'checkbox';
  readonly enabled?: boolean;
  readonly checked?: boolean;
  readonly submenu?: readonly TrayMenuItem[];
  readonly action?: TrayAction;
}

export interface TrayState {
  readonly pending: ReadonlyArray<{ readonly promptId: string; readonly kind: 'approval' | 'entry'; readonly server: string; readonly verificationCode: string }>;
  readonly grants: ReadonlyArray<{ readonly id: string; readonly server: string; readonly names: readonly string[] }>;
  readonly servers: ReadonlyArray<{ readonly name: string; readonly secrets: readonly string[] }>;
  readonly startAtLogin: boolean;
  /** Set when this run cannot register a login item (a macOS development run): the item is shown disabled. */
  readonly startAtLoginUnavailable?: boolean;
}

/** Where the state comes from (KeyholdCore, PromptBoard and the login item have these). */
export interface TrayStateSources {
  readonly core: {
    readonly vault: { servers(): string[]; list(server: string): ReadonlyArray<{ readonly name: string }> };
    readonly grants: { list(): ReadonlyArray<{ readonly id: string; readonly server: string; readonly names: readonly string[] }> };
  };
  readonly board: { list(): ReadonlyArray<{ readonly id: string; readonly kind: 'approval' | 'entry'; readonly server: string; readonly verificationCode: string }> };
  readonly loginItem: { get(): boolean; readonly unavailableReason?: string };
}

export function trayStateFrom(core: TrayStateSources['core'], board: TrayStateSources['board'], loginItem: TrayStateSources['loginItem']): TrayState {
  return {
    pending: board.list().map((p) => ({ promptId: p.id, kind: p.kind, server: p.server, verificationCode: p.verificationCode })),
    grants: core.grants.list().map((g) => ({ id: g.id, server: g.server, names: [...g.names] })),
    servers: core.vault.servers().map((name) => ({ name, secrets: core.vault.list(name).map((s) => s.name) })),
    startAtLogin: loginItem.get(),
    ...(loginItem.unavailableReason === undefined ? {} : { startAtLoginUnavailable: true }),
  };
}

const SEPARATOR: TrayMenuItem = { type: 'separator' };
const MAX_LABEL = 60;

export function pendingSummary(count: number): string {
  if (count === 0) return 'No pending requests';
  return count === 1 ? '1 pending request' : `${count} pending requests`;
}

export function trayTooltip(state: Pick<TrayState, 'pending'>): string {
  return state.pending.length === 0 ? 'Keyhold' : `Keyhold — ${pendingSummary(state.pending.length)}`;
}

/** A left click on the tray icon (where the platform reports one): the oldest waiting request, else the manager. */
export function trayClickAction(state: Pick<TrayState, 'pending'>): TrayAction {
  const first = state.pending[0];
  return first === undefined ? { type: 'open-manager' } : { type: 'focus-prompt', promptId: first.promptId };
}

export function buildTrayMenu(state: TrayState): TrayMenuItem[] {
  return [
    { label: pendingSummary(state.pending.length), enabled: false },
    ...state.pending.map((p): TrayMenuItem => ({
      label: clip(`${p.kind === 'approval' ? 'Approve' : 'Enter'}: ${p.server} (${p.verificationCode})`),
      action: { type: 'focus-prompt', promptId: p.promptId },
    })),
    SEPARATOR,
    ...grantItems(state.grants),
    SEPARATOR,
    secretsItem(state.servers),
    SEPARATOR,
    { label: 'Open Keyhold', action: { type: 'open-manager' } },
    state.startAtLoginUnavailable === true
      ? { label: 'Start at login (installed app only)', type: 'checkbox', checked: false, enabled: false }
      : { label: 'Start at login', type: 'checkbox', checked: state.startAtLogin, action: { type: 'toggle-login' } },
    SEPARATOR,
    { label: 'Quit Keyhold', action: { type: 'quit' } },
  ];
}

function grantItems(grants: TrayState['grants']): TrayMenuItem[] {
  if (grants.length === 0) return [{ label: 'No session grants', enabled: false }];
  return [
    { label: grants.length === 1 ? '1 session grant' : `${grants.length} session grants`, enabled: false },
    ...grants.map((g): TrayMenuItem => ({
      label: clip(`Revoke ${g.server}: ${g.names.join(', ')}`),
      action: { type: 'revoke-grant', grantId: g.id },
    })),
    { label: 'Revoke all (Lock)', action: { type: 'revoke-all' } },
  ];
}

function secretsItem(servers: TrayState['servers']): TrayMenuItem {
  const withSecrets = servers.filter((s) => s.secrets.length > 0);
  if (withSecrets.length === 0) return { label: 'No stored secrets', enabled: false };
  const count = withSecrets.reduce((sum, s) => sum + s.secrets.length, 0);
  return {
    label: `Stored secrets (${count})`,
    type: 'submenu',
    submenu: withSecrets.map((s) => ({
      label: clip(`${s.name} (${s.secrets.length})`),
      type: 'submenu' as const,
      submenu: [
        ...s.secrets.map((name): TrayMenuItem => ({ label: clip(name), enabled: false })),
        SEPARATOR,
        { label: 'Manage…', action: { type: 'open-manager' } },
      ],
    })),
  };
}

/** Menu labels stay short; names are ASCII without `&` (contract regexes), so no mnemonic escaping is needed. */
function clip(label: string): string {
  return label.length <= MAX_LABEL ? label : `${label.slice(0, MAX_LABEL - 1)}…`;
}
