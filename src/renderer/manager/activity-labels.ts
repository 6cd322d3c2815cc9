/** Words for the activity log's action codes: every action needs one, or this does not compile. */
import type { ActivityAction } from '../../shared/domain.js';
import type { ActivityRow } from '../../shared/ipc-contract.js';

const ACTION_LABELS: Readonly<Record<ActivityAction, string>> = {
  allowed: 'Allowed',
  allowed_session: 'Allowed for session',
  granted_by_session: 'Used session grant',
  allowed_by_rule: 'Allowed by rule',
  denied: 'Denied',
  entered: 'Entered',
  cancelled: 'Cancelled',
  timeout: 'Timed out',
  busy: 'Busy',
  invalidated: 'Rejected by server',
  deleted: 'Deleted',
  added: 'Added by you',
  replaced: 'Replaced',
  stored: 'Stored',
  revoked: 'Revoked',
  revealed: 'Revealed',
  rule_added: 'Rule added',
  rule_removed: 'Rule removed',
  error: 'Error',
};

export type ActionTone = 'ok' | 'warn' | 'danger' | 'neutral';

const ACTION_TONES: Readonly<Partial<Record<ActivityAction, ActionTone>>> = {
  allowed: 'ok',
  allowed_session: 'ok',
  granted_by_session: 'ok',
  allowed_by_rule: 'ok',
  entered: 'ok',
  stored: 'ok',
  added: 'ok',
  denied: 'danger',
  error: 'danger',
  invalidated: 'danger',
  deleted: 'warn',
  revealed: 'warn',
  timeout: 'warn',
  busy: 'warn',
};

export function actionLabel(row: Pick<ActivityRow, 'action' | 'detail'>): string {
  const label = ACTION_LABELS[row.action];
  return row.action === 'error' && row.detail !== undefined ? `${label} (${row.detail})` : label;
}

export function actionTone(action: ActivityAction): ActionTone {
  return ACTION_TONES[action] ?? 'neutral';
}

/** True when the filter text appears in the row's server, process, names, tool or action (code or words). */
export function matchesFilter(row: ActivityRow, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  if (needle === '') return true;
  const haystack = [row.server, row.action, actionLabel(row), row.tool ?? '', row.executable ?? '', row.identity ?? '', ...row.names];
  return haystack.some((field) => field.toLowerCase().includes(needle));
}
