/** The activity log, newest first, with a filter over server, secret names and action. Never shows a value (the log has none). */
import { useEffect, useMemo, useState } from 'react';

import { neutralizeClientText } from '../../shared/client-text.js';
import type { ActivityRow } from '../../shared/ipc-contract.js';
import { ClientText } from '../shared/ClientText.js';
import { basename, errorMessage, formatLogTime } from '../shared/format.js';
import { actionLabel, actionTone, matchesFilter } from './activity-labels.js';
import { api } from './api.js';
import { NameList } from './SessionsTab.js';

const ACTIVITY_LIMIT = 500;

export function ActivityTab({ changeCount }: { changeCount: number }) {
  const [rows, setRows] = useState<ActivityRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');

  useEffect(() => {
    let live = true;
    api.activity({ limit: ACTIVITY_LIMIT }).then(
      (loaded) => {
        if (!live) return;
        setRows(loaded);
        setError(null);
      },
      (failure: unknown) => live && setError(`Could not read the activity log. ${errorMessage(failure)}`),
    );
    return () => {
      live = false;
    };
  }, [changeCount]);

  const shown = useMemo(() => (rows ?? []).filter((row) => matchesFilter(row, filter)), [rows, filter]);

  return (
    <div className="stack">
      <div className="toolbar">
        <label className="toolbar-label" htmlFor="activity-filter">
          Filter
        </label>
        <input
          id="activity-filter"
          className="input toolbar-search"
          type="search"
          placeholder="Server, secret or action"
          value={filter}
          autoComplete="off"
          spellCheck={false}
          data-testid="activity-filter"
          onChange={(event) => setFilter(event.target.value)}
        />
        <span className="muted toolbar-count" aria-live="polite">
          {rows === null ? '' : filter.trim() === '' ? `${rows.length} entries` : `${shown.length} of ${rows.length}`}
        </span>
      </div>
      {error === null ? null : <p className="field-error">{error}</p>}
      {rows !== null && shown.length === 0 ? (
        <p className="empty-inline">{rows.length === 0 ? 'Nothing has happened yet.' : 'No entries match the filter.'}</p>
      ) : (
        <table className="table table-log">
          <thead>
            <tr>
              <th scope="col" className="cell-date">Time</th>
              <th scope="col">Server</th>
              <th scope="col">Process</th>
              <th scope="col">Secrets</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((row, index) => (
              <tr key={`${row.time}-${index}`} data-testid="activity-row">
                <td className="cell-date numeric">{formatLogTime(row.time)}</td>
                <td className="strong">{row.server}</td>
                <td title={neutralizeClientText(row.identity ?? row.executable ?? '') || undefined}>
                  {row.pid === undefined && row.executable === undefined && row.identity === undefined ? (
                    <span className="muted">—</span>
                  ) : (
                    <>
                      {row.executable === undefined ? null : <><ClientText text={basename(row.executable)} /> </>}
                      {row.pid === undefined ? null : <span className="muted numeric">pid {row.pid}</span>}
                      {row.identity === undefined ? null : (
                        <div className="muted activity-identity" data-testid="activity-identity">
                          <ClientText text={row.identity} />
                        </div>
                      )}
                    </>
                  )}
                </td>
                <td>
                  <NameList names={row.names} />
                </td>
                <td>
                  <span className={`badge badge-${actionTone(row.action)}`} title={row.tool === undefined ? undefined : `Tool: ${neutralizeClientText(row.tool)}`}>
                    {actionLabel(row)}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
