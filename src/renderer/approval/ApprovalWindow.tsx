/**
 * The approval prompt: which server and process want which secrets, why, the
 * verification code to compare, and Deny / Allow for session / Allow.
 *
 * There is no default button: on open the heading has focus, Enter does
 * nothing, Esc denies. The first answer disables every button, so a double
 * click can never send two answers.
 */
import { useCallback, useRef, useState } from 'react';

import { ErrorBanner } from '../shared/ErrorBanner.js';
import { errorMessage, plural } from '../shared/format.js';
import { IdentityDetails } from '../shared/IdentityDetails.js';
import { DetailRow, PromptDetails } from '../shared/PromptDetails.js';
import { PromptHeader } from '../shared/PromptHeader.js';
import { PromptLoading } from '../shared/PromptLoading.js';
import { useWindowKey } from '../shared/use-key.js';
import { usePromptView } from '../shared/use-prompt-view.js';
import { CountdownText, VerificationCode } from '../shared/VerificationCode.js';
import { api } from './api.js';

/** The answers the approval window's contract accepts. */
type Decision = Parameters<typeof api.decide>[0]['decision'];

/** What the server wants to do with the secrets: use them (the common case), store new values, or delete them. */
const ACTION_TEXT = {
  read: { verb: 'use', allow: 'Allow' },
  store: { verb: 'store or replace', allow: 'Allow change' },
  delete: { verb: 'delete', allow: 'Allow delete' },
  always_allow: { verb: 'add an always-allow rule for', allow: 'Add rule' },
  remove_rule: { verb: 'remove the always-allow rules of', allow: 'Remove rule' },
} as const;

const SENT_TEXT: Record<Decision, string> = {
  allow: 'Allowed.',
  allow_session: 'Allowed for this session.',
  deny: 'Denied.',
};

export function ApprovalWindow() {
  const { view, error, setError, waiting } = usePromptView(
    api,
    (loaded) => `Keyhold — ${loaded.server} wants ${plural(loaded.names.length, 'secret')}`,
  );
  const [answer, setAnswer] = useState<{ decision: Decision; status: 'sending' | 'sent' | 'failed' } | null>(null);
  // A ref, not state: two clicks in the same frame both see it.
  const answered = useRef(false);

  const decide = useCallback((decision: Decision) => {
    if (answered.current) return;
    answered.current = true;
    setAnswer({ decision, status: 'sending' });
    // On failure the buttons stay disabled: the request is gone (answered, timed out or cancelled).
    api.decide({ decision }).then(
      () => setAnswer({ decision, status: 'sent' }),
      (failure: unknown) => {
        setAnswer({ decision, status: 'failed' });
        setError(errorMessage(failure));
      },
    );
  }, []);

  useWindowKey('Escape', () => decide('deny'), view !== null);

  // A warm window is hidden until main assigns it a prompt: nothing to show yet.
  if (waiting) return null;
  if (view === null) return <PromptLoading error={error} />;

  const busy = answer !== null;
  const count = view.names.length;
  const action = ACTION_TEXT[view.action ?? 'read'];
  // A change (store, delete) is approved once; a session grant only makes sense for reads.
  const offersSession = (view.action ?? 'read') === 'read';
  return (
    <main className="prompt" aria-labelledby="prompt-title">
      <div className="prompt-body">
        <PromptHeader
          title={
            <>
              {view.server} wants to {action.verb} {plural(count, 'secret')}
            </>
          }
          server={view.server}
          serverVersion={view.serverVersion}
        />

        {error === null ? null : <ErrorBanner message={error} />}

        <PromptDetails view={view}>
          <DetailRow label={count === 1 ? 'Secret' : 'Secrets'}>
            <ul className="secret-list" aria-label="Requested secrets">
              {view.names.map((name) => (
                <li key={name} className="secret-chip mono" data-testid="secret-name">
                  {name}
                </li>
              ))}
            </ul>
          </DetailRow>
          {view.ruleIdentity === undefined ? null : (
            <DetailRow label={view.action === 'remove_rule' ? 'Rule was for' : 'Rule for'}>
              <IdentityDetails identity={view.ruleIdentity} />
            </DetailRow>
          )}
          {view.ruleNote === undefined ? null : (
            <DetailRow label="Rule">
              <span className="rule-note" data-testid="rule-note">
                {view.ruleNote}
              </span>
            </DetailRow>
          )}
        </PromptDetails>

        <VerificationCode code={view.verificationCode} />
        <div className="approval-countdown">
          <CountdownText expiresAt={view.expiresAt} />
        </div>
      </div>

      <footer className="prompt-footer">
        <button type="button" className="btn" data-testid="deny" disabled={busy} onClick={() => decide('deny')} aria-keyshortcuts="Escape">
          Deny
        </button>
        <span className="footer-spacer" aria-live="polite">
          {answer === null || answer.status === 'failed' ? null : (
            <span className="status-text">{answer.status === 'sent' ? SENT_TEXT[answer.decision] : 'Sending…'}</span>
          )}
        </span>
        {offersSession ? (
          <button type="button" className="btn" data-testid="allow-session" disabled={busy} onClick={() => decide('allow_session')}>
            Allow for session
          </button>
        ) : null}
        <button type="button" className={view.action === 'delete' || view.action === 'remove_rule' ? 'btn btn-danger' : 'btn btn-allow'} data-testid="allow" disabled={busy} onClick={() => decide('allow')}>
          {action.allow}
        </button>
      </footer>
    </main>
  );
}
