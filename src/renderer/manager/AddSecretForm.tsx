/**
 * "Add a secret" by hand: server, name and value (hidden as you type, with
 * show/hide). Names are checked as you type against the same rules the bridge
 * protocol uses; main checks them again. Enter saves, Esc cancels. The value
 * is held only in this form's state and dropped when it closes.
 */
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';

import { secretNameSchema, serverNameSchema } from '../../shared/bridge-protocol.js';
import { EyeIcon } from '../shared/icons.js';

interface AddSecretFormProps {
  /** Resolves true when the secret was stored. */
  readonly onSave: (secret: { server: string; name: string; value: string }) => Promise<boolean>;
  readonly onCancel: () => void;
}

type Field = 'server' | 'name' | 'value';

function problemsOf(form: Record<Field, string>): Partial<Record<Field, string>> {
  const problems: Partial<Record<Field, string>> = {};
  if (!serverNameSchema.safeParse(form.server).success) problems.server = form.server === '' ? 'Enter the MCP server’s name.' : 'Letters, digits, . _ - (up to 64), starting with a letter or digit.';
  if (!secretNameSchema.safeParse(form.name).success) problems.name = form.name === '' ? 'Enter the secret’s name.' : 'Letters, digits, . _ - (up to 128), starting with a letter or digit.';
  if (form.value === '') problems.value = 'Enter the value.';
  return problems;
}

export function AddSecretForm({ onSave, onCancel }: AddSecretFormProps) {
  const [form, setForm] = useState<Record<Field, string>>({ server: '', name: '', value: '' });
  const [problems, setProblems] = useState<Partial<Record<Field, string>>>({});
  const [shown, setShown] = useState(false);
  const [saving, setSaving] = useState(false);
  const serverRef = useRef<HTMLInputElement>(null);

  useEffect(() => serverRef.current?.focus(), []);

  const edit = (field: Field, value: string): void => {
    const next = { ...form, [field]: value };
    setForm(next);
    // As you type: only the fields already flagged are re-checked.
    if (problems[field] !== undefined) setProblems((current) => ({ ...current, [field]: problemsOf(next)[field] }));
  };

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (saving) return;
    const found = problemsOf(form);
    setProblems(found);
    const first = (['server', 'name', 'value'] as const).find((field) => found[field] !== undefined);
    if (first !== undefined) {
      document.getElementById(`add-${first}`)?.focus();
      return;
    }
    setSaving(true);
    if (await onSave(form)) return;
    // Refused (the banner says why, e.g. the name is taken): back to the name, the form still open.
    setSaving(false);
    setTimeout(() => document.getElementById('add-name')?.focus(), 0);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>): void => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    onCancel();
  };

  const input = (field: Field, label: string, extra: { readonly type?: string; readonly placeholder?: string; readonly mono?: boolean } = {}) => (
    <div className="add-field">
      <label htmlFor={`add-${field}`}>{label}</label>
      <input
        ref={field === 'server' ? serverRef : undefined}
        id={`add-${field}`}
        className={extra.mono === false ? 'input' : 'input mono'}
        type={extra.type ?? 'text'}
        value={form[field]}
        placeholder={extra.placeholder}
        autoComplete="off"
        autoCorrect="off"
        autoCapitalize="off"
        spellCheck={false}
        aria-invalid={problems[field] !== undefined}
        aria-describedby={problems[field] === undefined ? undefined : `add-${field}-problem`}
        disabled={saving}
        data-testid={`add-${field}`}
        onChange={(event) => edit(field, event.target.value)}
      />
      {problems[field] === undefined ? null : (
        <p className="field-error" id={`add-${field}-problem`} data-testid={`add-${field}-problem`}>
          {problems[field]}
        </p>
      )}
    </div>
  );

  return (
    <form className="add-form" noValidate aria-label="Add a secret" onSubmit={(event) => void submit(event)} onKeyDown={onKeyDown}>
      <div className="add-names">
        {input('server', 'MCP server', { placeholder: 'github' })}
        {input('name', 'Secret name', { placeholder: 'token' })}
      </div>
      <div className="add-field">
        <label htmlFor="add-value">Value</label>
        <div className="replace-controls">
          <input
            id="add-value"
            className="input mono"
            type={shown ? 'text' : 'password'}
            value={form.value}
            autoComplete="off"
            autoCorrect="off"
            autoCapitalize="off"
            spellCheck={false}
            aria-invalid={problems.value !== undefined}
            aria-describedby={problems.value === undefined ? undefined : 'add-value-problem'}
            disabled={saving}
            data-testid="add-value"
            onChange={(event) => edit('value', event.target.value)}
          />
          <button type="button" className="btn btn-icon" aria-pressed={shown} aria-label="Show value" title={shown ? 'Hide' : 'Show'} onClick={() => setShown((s) => !s)}>
            <EyeIcon open={!shown} />
          </button>
        </div>
        {problems.value === undefined ? null : (
          <p className="field-error" id="add-value-problem" data-testid="add-value-problem">
            {problems.value}
          </p>
        )}
      </div>
      <div className="add-actions">
        <span className="muted">Stored in your keychain; the server still asks you before each use.</span>
        <button type="button" className="btn" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" data-testid="add-save" disabled={saving}>
          Add secret
        </button>
      </div>
    </form>
  );
}
