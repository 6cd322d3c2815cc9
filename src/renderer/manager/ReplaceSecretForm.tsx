/** Inline form that replaces one stored secret's value. Enter saves, Esc cancels. */
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';

import { EyeIcon } from '../shared/icons.js';

interface ReplaceSecretFormProps {
  readonly server: string;
  readonly name: string;
  /** Resolves true when the value was stored. */
  readonly onSave: (value: string) => Promise<boolean>;
  readonly onCancel: () => void;
}

export function ReplaceSecretForm({ server, name, onSave, onCancel }: ReplaceSecretFormProps) {
  const [value, setValue] = useState('');
  const [shown, setShown] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = `replace-${server}-${name}`;

  useEffect(() => inputRef.current?.focus(), []);

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (saving) return;
    if (value === '') {
      setProblem('Enter the new value.');
      inputRef.current?.focus();
      return;
    }
    setSaving(true);
    const saved = await onSave(value);
    if (!saved) setSaving(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>): void => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    onCancel();
  };

  return (
    <form className="replace-form" noValidate onSubmit={(event) => void submit(event)} onKeyDown={onKeyDown}>
      <label className="replace-label" htmlFor={inputId}>
        New value for <span className="mono">{name}</span>
      </label>
      <div className="replace-controls">
        <input
          ref={inputRef}
          id={inputId}
          className="input mono"
          type={shown ? 'text' : 'password'}
          value={value}
          autoComplete="off"
          autoCorrect="off"
          autoCapitalize="off"
          spellCheck={false}
          aria-invalid={problem !== null}
          aria-describedby={problem === null ? undefined : `${inputId}-problem`}
          disabled={saving}
          data-testid="replace-input"
          onChange={(event) => {
            setValue(event.target.value);
            setProblem(null);
          }}
        />
        <button type="button" className="btn btn-icon" aria-pressed={shown} aria-label="Show new value" title={shown ? 'Hide' : 'Show'} onClick={() => setShown((s) => !s)}>
          <EyeIcon open={!shown} />
        </button>
        <button type="button" className="btn" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" data-testid="replace-save" disabled={saving}>
          Save
        </button>
      </div>
      {problem === null ? null : (
        <p className="field-error" id={`${inputId}-problem`}>
          {problem}
        </p>
      )}
    </form>
  );
}
