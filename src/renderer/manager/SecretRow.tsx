/** One stored secret in the secrets table: its dates, badges, and actions. The value shows only after Reveal. */
import type { SecretRow as SecretRowData } from '../../shared/ipc-contract.js';
import { formatDate, formatDateTime } from '../shared/format.js';

interface SecretRowProps {
  readonly server: string;
  readonly secret: SecretRowData;
  /** The value, when the user revealed it; null while hidden. */
  readonly revealedValue: string | null;
  readonly replacing: boolean;
  readonly onToggleReveal: () => void;
  readonly onReplace: () => void;
  readonly onAlwaysAllow: () => void;
  readonly onDelete: () => void;
}

export function SecretRow({ server, secret, revealedValue, replacing, onToggleReveal, onReplace, onAlwaysAllow, onDelete }: SecretRowProps) {
  const key = `${server}-${secret.name}`;
  const revealed = revealedValue !== null;
  return (
    <tr data-testid={`secret-${key}`} className={replacing ? 'row-open' : undefined}>
      <th scope="row" className="cell-name">
        <div className="secret-name-line">
          <span className="mono secret-name">{secret.name}</span>
          {secret.invalidated === undefined ? null : (
            <span className="badge badge-danger" title={rejectedTitle(secret.invalidated)}>
              rejected
            </span>
          )}
          {secret.alwaysAllowed ? (
            <span className="badge badge-neutral" title="An always-allow rule gives this secret without asking to the process it was made for.">
              always allowed
            </span>
          ) : null}
        </div>
        {revealed ? (
          <code className="revealed-value" data-testid={`revealed-${key}`} aria-label={`Value of ${secret.name}`}>
            {revealedValue}
          </code>
        ) : null}
      </th>
      <td className="cell-date">
        <DateCell epochMs={secret.created} />
      </td>
      <td className="cell-date">
        <DateCell epochMs={secret.updated} />
      </td>
      <td className="cell-date">{secret.lastUsed === undefined ? <span className="muted">Never</span> : <DateCell epochMs={secret.lastUsed} />}</td>
      <td className="cell-actions">
        <div className="row-actions">
          <button
            type="button"
            className="btn btn-small"
            aria-label={`${revealed ? 'Hide' : 'Reveal'} ${secret.name}`}
            data-testid={`reveal-${key}`}
            onClick={onToggleReveal}
          >
            {revealed ? 'Hide' : 'Reveal'}
          </button>
          <button
            type="button"
            id={`replace-button-${key}`}
            className="btn btn-small"
            aria-expanded={replacing}
            aria-label={`Replace ${secret.name}`}
            data-testid={`replace-${key}`}
            onClick={onReplace}
          >
            Replace
          </button>
          <button
            type="button"
            className="btn btn-small"
            aria-label={`Always allow ${server} to use ${secret.name}`}
            title={
              secret.alwaysAllowed
                ? 'A rule exists (see Rules); add one for another process of this server'
                : `Let one verified process of ${server} use ${secret.name} without asking`
            }
            data-testid={`always-allow-${key}`}
            onClick={onAlwaysAllow}
          >
            Always allow
          </button>
          <button type="button" className="btn btn-small btn-danger" aria-label={`Delete ${secret.name}`} data-testid={`delete-${key}`} onClick={onDelete}>
            Delete
          </button>
        </div>
      </td>
    </tr>
  );
}

function DateCell({ epochMs }: { epochMs: number }) {
  return (
    <time dateTime={new Date(epochMs).toISOString()} title={formatDateTime(epochMs)}>
      {formatDate(epochMs)}
    </time>
  );
}

function rejectedTitle(invalidated: NonNullable<SecretRowData['invalidated']>): string {
  const when = `Rejected by the server on ${formatDateTime(invalidated.at)}`;
  return invalidated.reason === undefined ? `${when}.` : `${when}: ${invalidated.reason}`;
}
