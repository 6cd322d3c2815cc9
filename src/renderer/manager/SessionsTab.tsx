/**
 * Active session grants (revoke one or all) and the prompts that are waiting
 * for an answer (Focus brings that prompt's window to the front).
 */
import { useState } from 'react';

import type { ManagerState } from '../../shared/ipc-contract.js';
import { formatDuration, plural } from '../shared/format.js';
import { useNow } from '../shared/use-countdown.js';
import { api } from './api.js';
import { GroupSection } from './GroupSection.js';
import { ListRow, ListTable } from './ListTable.js';
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
      <GroupSection
        headingId="grants-heading"
        title="Session grants"
        aside={
          <>
            <span className="footer-spacer" />
            <button type="button" className="btn btn-small btn-danger" data-testid="revoke-all" disabled={grants.length === 0} onClick={() => void revokeAll()}>
              Revoke all
            </button>
          </>
        }
        description="A server connection may use these secrets without asking until it disconnects or its grant expires."
      >
        <ListTable
          items={grants}
          empty="No active session grants."
          columns={['Server', 'Process', 'Secrets', 'Expires in']}
          row={(grant) => (
            <ListRow
              key={grant.id}
              data-testid={`grant-${grant.id}`}
              server={grant.server}
              button={{
                label: 'Revoke',
                ariaLabel: `Revoke the session grant of ${grant.server} (pid ${grant.pid})`,
                testId: `revoke-${grant.id}`,
                onClick: () => void run(() => api.revokeGrant({ grantId: grant.id })),
              }}
            >
              <td className="numeric">pid {grant.pid}</td>
              <td>
                <NameList names={grant.names} />
              </td>
              <td className="numeric">{formatDuration(grant.expiresAt - now)}</td>
            </ListRow>
          )}
        />
      </GroupSection>

      <GroupSection headingId="pending-heading" title="Waiting for you" description="Requests whose prompt window is open.">
        <ListTable
          items={pending}
          empty="No pending requests."
          columns={['Server', 'Kind', 'Code', 'Expires in']}
          row={(request) => (
            <ListRow
              key={request.promptId}
              data-testid={`pending-${request.promptId}`}
              server={request.server}
              button={{
                label: 'Focus',
                ariaLabel: `Focus the ${request.kind} prompt of ${request.server}`,
                testId: `focus-${request.promptId}`,
                onClick: () => void focus(request.promptId),
              }}
            >
              <td>{request.kind === 'approval' ? 'Approval' : 'Entry'}</td>
              <td className="mono code-cell">{request.verificationCode}</td>
              <td className="numeric">{formatDuration(request.expiresAt - now)}</td>
            </ListRow>
          )}
        />
      </GroupSection>
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
