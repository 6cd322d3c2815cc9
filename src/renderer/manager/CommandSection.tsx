/**
 * Settings → "The keyhold command": whether the packaged app's `keyhold`
 * launcher is on PATH, with Install / Remove (main does the work, see
 * src/main/command-install). Outside the packaged app it says why it cannot.
 */
import { useEffect, useState } from 'react';

import type { CommandStatus } from '../../shared/ipc-contract.js';
import { api } from './api.js';
import type { RunAction } from './run-action.js';

export function CommandSection({ run }: { run: RunAction }) {
  const [status, setStatus] = useState<CommandStatus | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    void api.commandStatus({}).then((s) => live && setStatus(s), () => undefined);
    return () => {
      live = false;
    };
  }, []);

  const change = async (action: () => Promise<CommandStatus>): Promise<void> => {
    setBusy(true);
    const next = await run(action);
    setBusy(false);
    if (next !== undefined) setStatus(next);
  };

  return (
    <section className="group" aria-labelledby="settings-command-heading" data-testid="settings-command">
      <h2 id="settings-command-heading" className="group-title">
        The keyhold command
      </h2>
      <p className="field-help" data-testid="command-state">
        {status === undefined
          ? 'Checking…'
          : status.state === 'installed'
            ? `Installed: ${status.path ?? 'keyhold'}`
            : status.state === 'not_installed'
              ? `Not installed. It would go to ${status.path ?? 'your PATH'}.`
              : status.state === 'conflict'
                ? 'Another keyhold command is in the way.'
                : 'Not available here.'}
      </p>
      {status?.detail === undefined ? null : <p className="field-help">{status.detail}</p>}
      <p className="field-help">
        <code>keyhold run</code> starts MCP servers with secrets from Keyhold, <code>keyhold import</code> moves keys out of your MCP
        clients’ configs. Configs should name the command by its full path.
      </p>
      {status?.state === 'not_installed' ? (
        <button type="button" className="btn" disabled={busy} data-testid="command-install" onClick={() => void change(() => api.installCommand({}))}>
          Install the keyhold command
        </button>
      ) : null}
      {status?.state === 'installed' ? (
        <button type="button" className="btn" disabled={busy} data-testid="command-remove" onClick={() => void change(() => api.removeCommand({}))}>
          Remove the keyhold command
        </button>
      ) : null}
    </section>
  );
}
