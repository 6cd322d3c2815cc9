/**
 * One secret's input, built from its FieldSpec: label, help, the right
 * input type (a textarea for `textarea`), a show/hide toggle for passwords,
 * and its error once the user has touched the field or pressed Save.
 * Browser autofill, spell checking and autocorrect are off: a secret must
 * never leave the field through them.
 */
import { useState, type Ref } from 'react';

import type { FieldSpec } from '../../shared/bridge-protocol.js';
import { neutralizeClientText } from '../../shared/client-text.js';
import { ClientText } from '../shared/ClientText.js';
import { EyeIcon, WarningIcon } from '../shared/icons.js';

interface EntryFieldProps {
  readonly spec: FieldSpec;
  readonly value: string;
  readonly error: string | null;
  readonly disabled: boolean;
  readonly inputRef: Ref<HTMLInputElement & HTMLTextAreaElement>;
  readonly onChange: (value: string) => void;
  readonly onBlur: () => void;
}

const INPUT_TYPES: Record<Exclude<FieldSpec['type'], 'textarea'>, string> = {
  text: 'text',
  password: 'password',
  url: 'url',
  email: 'email',
};

export function EntryField({ spec, value, error, disabled, inputRef, onChange, onBlur }: EntryFieldProps) {
  const [shown, setShown] = useState(false);
  const id = `input-${spec.name}`;
  const helpId = `help-${spec.name}`;
  const errorId = `err-${spec.name}`;
  const describedBy = [spec.help === undefined ? null : helpId, error === null ? null : errorId].filter((part) => part !== null).join(' ');
  const common = {
    id,
    name: spec.name,
    className: 'input',
    value,
    placeholder: spec.placeholder === undefined ? undefined : neutralizeClientText(spec.placeholder),
    required: spec.required,
    disabled,
    autoComplete: 'off',
    autoCorrect: 'off',
    autoCapitalize: 'off',
    spellCheck: false,
    'aria-invalid': error !== null,
    'aria-describedby': describedBy === '' ? undefined : describedBy,
    'data-testid': `field-${spec.name}`,
    onBlur,
  } as const;

  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        <ClientText text={spec.label} />
        {spec.required ? null : <span className="field-optional"> (optional)</span>}
      </label>
      {spec.type === 'textarea' ? (
        <textarea {...common} ref={inputRef} rows={4} onChange={(event) => onChange(event.target.value)} />
      ) : (
        <div className="field-control">
          <input
            {...common}
            ref={inputRef}
            type={spec.type === 'password' && shown ? 'text' : INPUT_TYPES[spec.type]}
            className={spec.type === 'password' ? 'input mono input-secret' : 'input'}
            onChange={(event) => onChange(event.target.value)}
          />
          {spec.type === 'password' ? (
            <button
              type="button"
              className="btn btn-icon field-toggle"
              aria-pressed={shown}
              aria-label={`Show ${spec.label}`}
              title={shown ? 'Hide' : 'Show'}
              data-testid={`toggle-${spec.name}`}
              disabled={disabled}
              onClick={() => setShown((current) => !current)}
            >
              <EyeIcon open={!shown} />
            </button>
          ) : null}
        </div>
      )}
      {spec.help === undefined ? null : (
        <p className="field-help" id={helpId}>
          <ClientText text={spec.help} />
        </p>
      )}
      {error === null ? null : (
        <p className="field-error" id={errorId} data-testid={`error-${spec.name}`}>
          <WarningIcon className="field-error-icon" />
          {error}
        </p>
      )}
    </div>
  );
}
