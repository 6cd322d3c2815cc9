/**
 * "Always allow" for one secret: the user picks the process the rule is for —
 * a live session of the server or the last verified process that read the
 * secret (main lists them; no identity is typed or sent from here, only the
 * chosen one's key) — sees all of its identity (program, script, preloaded
 * code, launching client), and only then saves. A modal <dialog>: Esc and
 * Cancel close it without a rule.
 */
import { useEffect, useRef, useState } from 'react';

import type { RuleCandidate } from '../../shared/ipc-contract.js';
import { formatDateTime } from '../shared/format.js';
import { IdentityDetails } from '../shared/IdentityDetails.js';
import { api } from './api.js';
import type { RunAction } from './run-action.js';

interface AlwaysAllowDialogProps {
  readonly server: string;
  readonly name: string;
  readonly run: RunAction;
  readonly onDone: (saved: boolean) => void;
}

export function AlwaysAllowDialog({ server, name, run, onDone }: AlwaysAllowDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [candidates, setCandidates] = useState<RuleCandidate[] | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog !== null && !dialog.open) dialog.showModal();
    void run(() => api.ruleCandidates({ server, name })).then((found) => {
      // A running connection that is also the last reader is one process: list it once.
      setCandidates((found ?? []).filter((candidate, index, all) => all.findIndex((c) => c.key === candidate.key) === index));
      setChosen(found?.[0]?.key ?? null);
    });
    return () => {
      if (dialog?.open === true) dialog.close();
    };
  }, [server, name]);

  const save = async (): Promise<void> => {
    if (chosen === null) return;
    const rule = await run(() => api.addRule({ server, name, candidate: chosen }));
    onDone(rule !== undefined);
  };

  const selected = candidates?.find((c) => c.key === chosen);
  return (
    <dialog ref={dialogRef} className="dialog" aria-labelledby="always-allow-title" data-testid="always-allow-dialog" onClose={() => onDone(false)}>
      <h2 id="always-allow-title" className="dialog-title">
        Always allow <span className="mono">{name}</span> of {server}?
      </h2>
      {candidates === null ? (
        <p className="dialog-text">Looking for the processes of {server}…</p>
      ) : candidates.length === 0 ? (
        <p className="dialog-text" data-testid="no-candidates">
          No verified process of {server} is connected or has used {name} since Keyhold started. Start the server, let it use the secret once, then come back: a rule is
          always made for one verified process. Keyhold can verify processes only on Linux today; elsewhere no rule can be made and every use asks.
        </p>
      ) : (
        <>
          <p className="dialog-text">The rule applies only to this process. Anything else that says it is {server} still has to ask.</p>
          <fieldset className="candidate-list">
            <legend className="visually-hidden">Process</legend>
            {candidates.map((candidate) => (
              <label key={candidate.key} className="candidate" data-testid="rule-candidate">
                <input type="radio" name="candidate" checked={chosen === candidate.key} onChange={() => setChosen(candidate.key)} />
                <span className="mono">{candidate.description}</span>
                <span className="muted">
                  {candidate.source === 'session' ? ` connected now, pid ${candidate.pid ?? '?'}` : ` last used it ${candidate.at === undefined ? '' : formatDateTime(candidate.at)}`}
                </span>
              </label>
            ))}
          </fieldset>
          {selected === undefined ? null : <IdentityDetails identity={selected.identity} />}
        </>
      )}
      <div className="dialog-buttons">
        <button type="button" className="btn" data-testid="always-allow-cancel" onClick={() => onDone(false)}>
          Cancel
        </button>
        <button type="button" className="btn btn-allow" data-testid="always-allow-save" disabled={chosen === null} onClick={() => void save()}>
          Always allow
        </button>
      </div>
    </dialog>
  );
}
