/**
 * Active session grants (revoke one or all) and the prompts that are waiting
 * for an answer (Focus brings that prompt's window to the front).
 */
import { useState } from 'react';

import type { ManagerState } from '../../shared/ipc-contract.js';
import { formatDuration, plural } from '../shared/format.js';
import { useNow } from '../shared/use-countdown.js';
import { api } from './api.js';
import type { RunAction } from './run-action.js';

interface SessionsTabProps {
  readonly grants: ManagerState['grants'];
  readonly pending: ManagerState['pending'];
  readonly run: RunAction;
}

export function SessionsTab({ grants, pending, run }: SessionsTabProps) {
  const now = useNow(1000);
  const [notice, setNotice] = useState('');

  const revokeAll = async (): Promise<void> => {
    const result = await run(() => api.revokeAll({}));
    if (result !== undefined) setNotice(`Revoked ${plural(result.revoked, 'session grant')}.`);
  };

  const focus = async (promptId: string): Promise<void> => {
    const result = await run(() => api.focusPrompt({ promptId }));
    if (result !== undefined && !result.focused) setNotice('That request is no longer open.');
  };

  return (
    <div className="stack">
      <p className="visually-hidden" role="status">
        {notice}
      </p>
      <section className="group" aria-labelledby="grants-heading">
        <div className="group-header">
          <h2 id="grants-heading" className="group-title">
            Session grants
          </h2>
          <span className="footer-spacer" />
          <button type="button" className="btn btn-small btn-danger" data-testid="revoke-all" disabled={grants.length === 0} onClick={() => void revokeAll()}>
            Revoke all
          </button>
        </div>
        <p className="group-desc">A server connection may use these secrets without asking until it disconnects or its grant expires.</p>
        {grants.length === 0 ? (
          <p className="empty-inline">No active session grants.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Server</th>
                <th scope="col">Process</th>
                <th scope="col">Secrets</th>
                <th scope="col">Expires in</th>
                <th scope="col" className="cell-actions">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {grants.map((grant) => (
                <tr key={grant.id} data-testid={`grant-${grant.id}`}>
                  <th scope="row" className="strong">
                    {grant.server}
                  </th>
                  <td className="numeric">pid {grant.pid}</td>
                  <td>
                    <NameList names={grant.names} />
                  </td>
                  <td className="numeric">{formatDuration(grant.expiresAt - now)}</td>
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={`Revoke the session grant of ${grant.server} (pid ${grant.pid})`}
                      data-testid={`revoke-${grant.id}`}
                      onClick={() => void run(() => api.revokeGrant({ grantId: grant.id }))}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="group" aria-labelledby="pending-heading">
        <div className="group-header">
          <h2 id="pending-heading" className="group-title">
            Waiting for you
          </h2>
        </div>
        <p className="group-desc">Requests whose prompt window is open.</p>
        {pending.length === 0 ? (
          <p className="empty-inline">No pending requests.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Server</th>
                <th scope="col">Kind</th>
                <th scope="col">Code</th>
                <th scope="col">Expires in</th>
                <th scope="col" className="cell-actions">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {pending.map((request) => (
                <tr key={request.promptId} data-testid={`pending-${request.promptId}`}>
                  <th scope="row" className="strong">
                    {request.server}
                  </th>
                  <td>{request.kind === 'approval' ? 'Approval' : 'Entry'}</td>
                  <td className="mono code-cell">{request.verificationCode}</td>
                  <td className="numeric">{formatDuration(request.expiresAt - now)}</td>
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={`Focus the ${request.kind} prompt of ${request.server}`}
                      data-testid={`focus-${request.promptId}`}
                      onClick={() => void focus(request.promptId)}
                    >
                      Focus
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

export function NameList({ names }: { names: readonly string[] }) {
  return (
    <ul className="name-list">
      {names.map((name) => (
        <li key={name} className="mono">
          {name}
        </li>
      ))}
    </ul>
  );
}
