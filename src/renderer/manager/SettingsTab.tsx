/**
 * Settings: how long a session grant lasts (in minutes or hours, 1 minute to
 * 7 days) and whether Keyhold starts at login. Edits stay local until Save;
 * a change from elsewhere refreshes the form only while it has no edits.
 * The keyhold command section acts at once (CommandSection).
 */
import { useEffect, useState, type FormEvent } from 'react';

import { GRANT_TTL_MINUTES } from '../../shared/domain.js';
import type { Settings } from '../../shared/ipc-contract.js';
import { CheckIcon } from '../shared/icons.js';
import { api } from './api.js';
import { CommandSection } from './CommandSection.js';
import type { RunAction } from './run-action.js';

type Unit = 'minutes' | 'hours';

const MAX_TTL_MINUTES = GRANT_TTL_MINUTES.max;
const MINUTES_PER: Record<Unit, number> = { minutes: 1, hours: 60 };

interface SettingsForm {
  readonly ttl: string;
  readonly unit: Unit;
  readonly startAtLogin: boolean;
}

function formFrom(settings: Settings): SettingsForm {
  const inHours = settings.grantTtlMinutes % 60 === 0;
  return {
    ttl: String(inHours ? settings.grantTtlMinutes / 60 : settings.grantTtlMinutes),
    unit: inHours ? 'hours' : 'minutes',
    startAtLogin: settings.startAtLogin,
  };
}

/** The lifetime in whole minutes, or a message saying what is wrong. */
export function parseTtl(ttl: string, unit: Unit): { minutes: number } | { problem: string } {
  const text = ttl.trim();
  if (text === '') return { problem: 'Enter how long a session grant lasts.' };
  const amount = Number(text);
  if (!Number.isFinite(amount) || amount <= 0) return { problem: 'Enter a positive number.' };
  const minutes = amount * MINUTES_PER[unit];
  if (!Number.isInteger(minutes)) return { problem: unit === 'hours' ? 'Use whole minutes (for example 1.5 hours, not 1.33).' : 'Enter a whole number of minutes.' };
  if (minutes > MAX_TTL_MINUTES) return { problem: 'A session grant lasts at most 7 days (168 hours).' };
  return { minutes };
}

export function SettingsTab({ settings, run }: { settings: Settings; run: RunAction }) {
  const [form, setForm] = useState(() => formFrom(settings));
  const [dirty, setDirty] = useState(false);
  const [attempted, setAttempted] = useState(false);
  const [saved, setSaved] = useState(false);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!dirty) setForm(formFrom(settings));
  }, [settings, dirty]);

  const parsed = parseTtl(form.ttl, form.unit);
  const problem = 'problem' in parsed && (dirty || attempted) ? parsed.problem : null;

  const edit = (change: Partial<SettingsForm>): void => {
    setForm((current) => ({ ...current, ...change }));
    setDirty(true);
    setSaved(false);
  };

  const save = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setAttempted(true);
    if ('problem' in parsed) {
      document.getElementById('setting-ttl')?.focus();
      return;
    }
    setSaving(true);
    const result = await run(() => api.updateSettings({ grantTtlMinutes: parsed.minutes, startAtLogin: form.startAtLogin }));
    setSaving(false);
    if (result === undefined) return;
    setForm(formFrom(result));
    setDirty(false);
    setAttempted(false);
    setSaved(true);
  };

  return (
    <form className="settings" noValidate onSubmit={(event) => void save(event)}>
      <section className="group" aria-labelledby="settings-sessions-heading">
        <h2 id="settings-sessions-heading" className="group-title">
          Sessions
        </h2>
        <div className="settings-row">
          <label className="settings-label" htmlFor="setting-ttl">
            Session grant lifetime
          </label>
          <div className="settings-control">
            <div className="inline-controls">
              <input
                id="setting-ttl"
                className="input input-number"
                type="number"
                inputMode="numeric"
                min={1}
                step={1}
                value={form.ttl}
                aria-invalid={problem !== null}
                aria-describedby={problem === null ? 'setting-ttl-help' : 'setting-ttl-help setting-ttl-problem'}
                data-testid="setting-ttl"
                onChange={(event) => edit({ ttl: event.target.value })}
              />
              <label className="visually-hidden" htmlFor="setting-ttl-unit">
                Unit
              </label>
              <select id="setting-ttl-unit" className="input" value={form.unit} onChange={(event) => edit({ unit: event.target.value === 'hours' ? 'hours' : 'minutes' })}>
                <option value="minutes">minutes</option>
                <option value="hours">hours</option>
              </select>
            </div>
            <p id="setting-ttl-help" className="field-help">
              “Allow for session” lasts until the server disconnects or this time has passed. 1 minute to 7 days.
            </p>
            {problem === null ? null : (
              <p id="setting-ttl-problem" className="field-error">
                {problem}
              </p>
            )}
          </div>
        </div>
      </section>

      <section className="group" aria-labelledby="settings-startup-heading">
        <h2 id="settings-startup-heading" className="group-title">
          Startup
        </h2>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={form.startAtLogin}
            aria-describedby="setting-login-help"
            data-testid="setting-login"
            onChange={(event) => edit({ startAtLogin: event.target.checked })}
          />
          Start Keyhold at login
        </label>
        <p id="setting-login-help" className="field-help checkbox-help">
          Keyhold waits in the tray so that MCP servers can ask for their secrets.
        </p>
      </section>

      <CommandSection run={run} />

      <div className="settings-actions">
        <span role="status" className="saved-status">
          {saved ? (
            <span className="saved-text" data-testid="settings-saved">
              <CheckIcon className="badge-icon" />
              Saved
            </span>
          ) : null}
        </span>
        <button type="submit" className="btn btn-primary" data-testid="settings-save" disabled={saving}>
          Save
        </button>
      </div>
    </form>
  );
}
