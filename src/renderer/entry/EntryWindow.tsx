/**
 * The entry prompt: a server needs secrets that are not stored yet (or were
 * rejected). Shows who asks and why, the server's guide, the verification
 * code, and one field per FieldSpec, validated as the user types.
 *
 * Keyboard: the heading has focus on open (a stray keystroke meant for another
 * window lands nowhere); Tab moves through links, fields and buttons; Enter
 * in a single-line field saves; Esc cancels. Save validates every field and
 * moves focus to the first one that needs attention.
 */
import { useCallback, useRef, useState, type FormEvent } from 'react';

import type { FieldSpec } from '../../shared/bridge-protocol.js';
import { validateEntry, validateFieldValue } from '../../shared/field-validation.js';
import type { EntryView } from '../../shared/ipc-contract.js';
import { ErrorBanner } from '../shared/ErrorBanner.js';
import { ClientText } from '../shared/ClientText.js';
import { errorMessage, plural } from '../shared/format.js';
import { WarningIcon } from '../shared/icons.js';
import { PromptDetails } from '../shared/PromptDetails.js';
import { PromptHeader } from '../shared/PromptHeader.js';
import { PromptLoading } from '../shared/PromptLoading.js';
import { useWindowKey } from '../shared/use-key.js';
import { usePromptView } from '../shared/use-prompt-view.js';
import { CountdownText, VerificationCode } from '../shared/VerificationCode.js';
import { api } from './api.js';
import { EntryField } from './EntryField.js';
import { GuideMarkdown } from './GuideMarkdown.js';

type Phase = 'editing' | 'saving' | 'saved' | 'cancelling' | 'cancelled' | 'failed';
type FieldElement = HTMLInputElement & HTMLTextAreaElement;

const STATUS_TEXT: Partial<Record<Phase, string>> = { saving: 'Saving…', saved: 'Saved.', cancelling: 'Cancelling…', cancelled: 'Cancelled.' };

/** Password fields never start with a value; others start with their default. */
function initialValues(fields: readonly FieldSpec[]): Record<string, string> {
  return Object.fromEntries(fields.map((field) => [field.name, field.type === 'password' ? '' : (field.default ?? '')]));
}

export function EntryWindow() {
  const [values, setValues] = useState<Record<string, string>>({});
  const { view, error, setError, waiting } = usePromptView(
    api,
    (loaded) => `Keyhold — ${loaded.server} needs ${plural(loaded.fields.length, 'secret')}`,
    (loaded) => setValues(initialValues(loaded.fields)),
  );
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [attempted, setAttempted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [phase, setPhase] = useState<Phase>('editing');
  const inputs = useRef(new Map<string, FieldElement>());
  // Set synchronously so a double click or Enter+click cannot send twice.
  const inFlight = useRef(false);

  const focusField = (name: string | undefined): void => {
    if (name !== undefined) inputs.current.get(name)?.focus();
  };

  const save = async (): Promise<void> => {
    if (view === null || inFlight.current) return;
    const problems = validateEntry(view.fields, values);
    const firstInvalid = view.fields.find((field) => problems[field.name] !== undefined);
    setAttempted(true);
    if (firstInvalid !== undefined) {
      focusField(firstInvalid.name);
      return;
    }
    inFlight.current = true;
    setPhase('saving');
    try {
      const result = await api.submit({ values });
      if (result.ok) {
        setPhase('saved');
        return;
      }
      inFlight.current = false;
      setPhase('editing');
      setServerErrors(result.errors);
      const unknownKeys = Object.keys(result.errors).filter((name) => !view.fields.some((field) => field.name === name));
      if (unknownKeys.length > 0) setError(unknownKeys.map((name) => result.errors[name]).join(' '));
      const firstRejected = view.fields.find((field) => result.errors[field.name] !== undefined);
      // The DOM re-enables the fields on the next render; focus after it.
      requestAnimationFrame(() => focusField(firstRejected?.name));
    } catch (failure) {
      setPhase('failed');
      setError(errorMessage(failure));
    }
  };

  const cancel = useCallback(() => {
    if (inFlight.current) return;
    inFlight.current = true;
    setPhase('cancelling');
    api.cancel({}).then(
      () => setPhase('cancelled'),
      (failure: unknown) => {
        setPhase('failed');
        setError(errorMessage(failure));
      },
    );
  }, []);

  useWindowKey('Escape', cancel, view !== null && phase === 'editing');

  // A warm window is hidden until main assigns it a prompt: nothing to show yet.
  if (waiting) return null;
  if (view === null) return <PromptLoading error={error} />;

  const busy = phase !== 'editing';
  const onSubmit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    void save();
  };
  const errorFor = (field: FieldSpec): string | null => {
    const fromServer = serverErrors[field.name];
    if (fromServer !== undefined) return fromServer;
    if (!attempted && touched[field.name] !== true) return null;
    return validateFieldValue(field, values[field.name] ?? '');
  };
  const change = (name: string, value: string): void => {
    setValues((current) => ({ ...current, [name]: value }));
    setTouched((current) => (current[name] === true ? current : { ...current, [name]: true }));
    setServerErrors((current) => {
      if (current[name] === undefined) return current;
      const rest = { ...current };
      delete rest[name];
      return rest;
    });
  };
  const blur = (name: string): void => setTouched((current) => (current[name] === true ? current : { ...current, [name]: true }));

  return (
    <form className="prompt" aria-labelledby="prompt-title" noValidate onSubmit={onSubmit}>
      <div className="prompt-body">
        <PromptHeader
          title={
            <>
              {view.server} needs {plural(view.fields.length, 'secret')}
            </>
          }
          server={view.server}
          serverVersion={view.serverVersion}
        />

        {error === null ? null : <ErrorBanner message={error} />}

        <PromptDetails view={view} />

        <div className="entry-code">
          <VerificationCode code={view.verificationCode} compact />
          <CountdownText expiresAt={view.expiresAt} />
        </div>

        {view.rejected === undefined ? null : <RejectedNote server={view.server} rejected={view.rejected} />}

        {view.guide === undefined || view.guide.trim() === '' ? null : <GuideMarkdown markdown={view.guide} server={view.server} />}

        <fieldset className="fields" disabled={busy}>
          <legend className="visually-hidden">Secrets for {view.server}</legend>
          {view.fields.map((field) => (
            <EntryField
              key={field.name}
              spec={field}
              value={values[field.name] ?? ''}
              error={errorFor(field)}
              disabled={busy}
              inputRef={(element) => {
                if (element === null) inputs.current.delete(field.name);
                else inputs.current.set(field.name, element);
              }}
              onChange={(value) => change(field.name, value)}
              onBlur={() => blur(field.name)}
            />
          ))}
        </fieldset>
      </div>

      <footer className="prompt-footer">
        <span className="footer-spacer" aria-live="polite">
          {STATUS_TEXT[phase] === undefined ? null : <span className="status-text">{STATUS_TEXT[phase]}</span>}
        </span>
        <button type="button" className="btn" data-testid="cancel" disabled={busy} onClick={cancel} aria-keyshortcuts="Escape">
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" data-testid="save" disabled={busy}>
          Save
        </button>
      </footer>
    </form>
  );
}

function RejectedNote({ server, rejected }: { server: string; rejected: NonNullable<EntryView['rejected']> }) {
  const several = rejected.names.length > 1;
  const reason = rejected.reason?.trim().replace(/[.\s]+$/, '');
  return (
    <div className="banner banner-warn" data-testid="rejected-note">
      <WarningIcon className="banner-icon" />
      <p className="banner-text">
        <strong>{several ? 'The previous values were rejected.' : 'The previous value was rejected.'}</strong> {server} did not accept{' '}
        <span className="mono">{rejected.names.join(', ')}</span>
        {reason === undefined || reason === '' ? '' : <>: <ClientText text={reason} /></>}. Enter {several ? 'new values' : 'a new value'}.
      </p>
    </div>
  );
}
