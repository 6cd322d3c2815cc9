/**
 * Stored secrets, grouped by server. Values are never shown by default:
 * Reveal fetches one value and shows it in its row until Hide, until the
 * window loses focus, or until the secret changes. Leaving the tab forgets
 * every revealed value (this component unmounts).
 */
import { Fragment, useEffect, useState } from 'react';

import type { ManagerState } from '../../shared/ipc-contract.js';
import { plural } from '../shared/format.js';
import { AddSecretForm } from './AddSecretForm.js';
import { AlwaysAllowDialog } from './AlwaysAllowDialog.js';
import { api } from './api.js';
import { ConfirmDeleteDialog } from './ConfirmDeleteDialog.js';
import { FirstRun } from './FirstRun.js';
import { GroupSection } from './GroupSection.js';
import { ColumnHeads } from './ListTable.js';
import type { RunAction } from './run-action.js';
import { ReplaceSecretForm } from './ReplaceSecretForm.js';
import { SecretRow } from './SecretRow.js';

interface SecretRef {
  readonly server: string;
  readonly name: string;
}

/** Server and secret names cannot contain "/", so this key is unique. */
const keyOf = (ref: SecretRef): string => `${ref.server}/${ref.name}`;

export function SecretsTab({ servers, run }: { servers: ManagerState['servers']; run: RunAction }) {
  // Each revealed value remembers the `updated` stamp it was read at: a replaced secret hides itself.
  const [revealed, setRevealed] = useState<ReadonlyMap<string, { value: string; updated: number }>>(new Map());
  const [replacing, setReplacing] = useState<SecretRef | null>(null);
  const [deleting, setDeleting] = useState<SecretRef | null>(null);
  const [adding, setAdding] = useState(false);
  const [allowing, setAllowing] = useState<SecretRef | null>(null);
  const [notice, setNotice] = useState('');

  useEffect(() => {
    const hideAll = (): void => setRevealed(new Map());
    window.addEventListener('blur', hideAll);
    return () => window.removeEventListener('blur', hideAll);
  }, []);

  // Drop values of secrets that changed or are gone, so none lingers in memory.
  useEffect(() => {
    setRevealed((current) => {
      const stamps = new Map(servers.flatMap((server) => server.secrets.map((secret) => [keyOf({ server: server.name, name: secret.name }), secret.updated] as const)));
      const kept = [...current].filter(([key, entry]) => stamps.get(key) === entry.updated);
      return kept.length === current.size ? current : new Map(kept);
    });
  }, [servers]);

  const toggleReveal = async (ref: SecretRef, updated: number): Promise<void> => {
    const key = keyOf(ref);
    if (revealed.has(key)) {
      setRevealed((current) => new Map([...current].filter(([k]) => k !== key)));
      return;
    }
    const result = await run(() => api.revealSecret({ server: ref.server, name: ref.name }));
    if (result !== undefined) setRevealed((current) => new Map(current).set(key, { value: result.value, updated }));
  };

  const closeReplace = (ref: SecretRef): void => {
    setReplacing(null);
    requestAnimationFrame(() => document.getElementById(`replace-button-${ref.server}-${ref.name}`)?.focus());
  };

  const saveReplacement = async (ref: SecretRef, value: string): Promise<boolean> => {
    const result = await run(() => api.replaceSecret({ server: ref.server, name: ref.name, value }));
    if (result === undefined) return false;
    setNotice(`Replaced ${ref.name} for ${ref.server}.`);
    closeReplace(ref);
    return true;
  };

  const closeAlwaysAllow = (ref: SecretRef, saved: boolean): void => {
    setAllowing(null);
    if (saved) setNotice(`That process of ${ref.server} may now use ${ref.name} without asking. Remove the rule under Rules.`);
  };

  const confirmDelete = async (ref: SecretRef): Promise<void> => {
    setDeleting(null);
    const done = await run(() => api.deleteSecret({ server: ref.server, name: ref.name }));
    if (done !== undefined) setNotice(`Deleted ${ref.name} from ${ref.server}.`);
  };

  const addSecret = async (secret: { server: string; name: string; value: string }): Promise<boolean> => {
    const result = await run(() => api.addSecret(secret));
    if (result === undefined) return false;
    setAdding(false);
    setNotice(`Added ${secret.name} for ${secret.server}.`);
    return true;
  };

  const status = (
    <p className="visually-hidden" role="status">
      {notice}
    </p>
  );
  const addSection = adding ? (
    <GroupSection headingId="add-secret-heading" title="Add a secret" data-testid="add-secret-section">
      <AddSecretForm onSave={addSecret} onCancel={() => setAdding(false)} />
    </GroupSection>
  ) : null;

  if (servers.length === 0) {
    return (
      <div className="stack">
        {status}
        {addSection ?? <FirstRun onAdd={() => setAdding(true)} />}
      </div>
    );
  }

  return (
    <div className="stack">
      {status}
      {addSection ?? (
        <div className="tab-toolbar">
          <button type="button" className="btn" data-testid="add-secret" onClick={() => setAdding(true)}>
            Add a secret…
          </button>
        </div>
      )}
      {servers.map((server) => (
        <GroupSection
          key={server.name}
          data-testid={`server-${server.name}`}
          headingId={`server-heading-${server.name}`}
          title={server.name}
          aside={<span className="muted">{plural(server.secrets.length, 'secret')}</span>}
        >
          <table className="table table-secrets">
            <colgroup>
              <col />
              <col className="col-date" />
              <col className="col-date" />
              <col className="col-date" />
              <col className="col-actions" />
            </colgroup>
            <ColumnHeads
              columns={['Name', { label: 'Created', className: 'cell-date' }, { label: 'Updated', className: 'cell-date' }, { label: 'Last used', className: 'cell-date' }]}
            />
            <tbody>
              {server.secrets.map((secret) => {
                const ref = { server: server.name, name: secret.name };
                const entry = revealed.get(keyOf(ref));
                const isReplacing = replacing !== null && keyOf(replacing) === keyOf(ref);
                return (
                  <Fragment key={secret.name}>
                    <SecretRow
                      server={server.name}
                      secret={secret}
                      revealedValue={entry !== undefined && entry.updated === secret.updated ? entry.value : null}
                      replacing={isReplacing}
                      onToggleReveal={() => void toggleReveal(ref, secret.updated)}
                      onReplace={() => (isReplacing ? closeReplace(ref) : setReplacing(ref))}
                      onAlwaysAllow={() => setAllowing(ref)}
                      onDelete={() => setDeleting(ref)}
                    />
                    {isReplacing ? (
                      <tr className="row-detail">
                        <td colSpan={5}>
                          <ReplaceSecretForm
                            server={server.name}
                            name={secret.name}
                            onSave={(value) => saveReplacement(ref, value)}
                            onCancel={() => closeReplace(ref)}
                          />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </GroupSection>
      ))}
      {allowing === null ? null : (
        <AlwaysAllowDialog server={allowing.server} name={allowing.name} run={run} onDone={(saved) => closeAlwaysAllow(allowing, saved)} />
      )}
      {deleting === null ? null : (
        <ConfirmDeleteDialog
          server={deleting.server}
          name={deleting.name}
          onConfirm={() => void confirmDelete(deleting)}
          onCancel={() => setDeleting(null)}
        />
      )}
    </div>
  );
}
