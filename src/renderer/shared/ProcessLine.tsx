/**
 * Who is asking: the requesting process as main identified it. "Verified"
 * means main checked the pid with the OS; otherwise every detail is only what
 * the process said about itself, and the line says so.
 */
import type { ApprovalView } from '../../shared/ipc-contract.js';
import { describeIdentity, UNVERIFIED_TEXT } from '../../shared/process-identity.js';
import { ClientText } from './ClientText.js';
import { basename, truncate } from './format.js';
import { CheckIcon, WarningIcon } from './icons.js';

type ProcessView = ApprovalView['process'];

const MAX_COMMAND_LINE_CHARS = 160;

export function ProcessLine({ process }: { process: ProcessView }) {
  const claimedOther = process.claimedPid !== process.pid;
  return (
    <div className="process" data-testid="process">
      <div className="process-summary">
        <span className="process-name" title={process.executable}>
          {process.executable === undefined ? 'Unknown program' : <ClientText text={basename(process.executable)} />}
        </span>
        <span className="process-pid">pid {process.pid}</span>
        {process.verified ? (
          <span className="badge badge-ok" data-testid="process-verified" title="Keyhold identified this process through the operating system.">
            <CheckIcon className="badge-icon" />
            <span className="badge-text">verified</span>
          </span>
        ) : (
          <span className="badge badge-warn" data-testid="process-unverified" title="Keyhold could not check this process with the operating system.">
            <WarningIcon className="badge-icon" />
            <span className="badge-text">{process.unverifiedReason === 'shared_socket' ? 'shared connection — unverified' : 'unverified — as claimed by the process'}</span>
          </span>
        )}
      </div>
      {process.executable === undefined ? null : (
        <div className="process-detail mono" title={process.executable}>
          <ClientText text={process.executable} />
        </div>
      )}
      {process.commandLine === undefined ? null : (
        <div className="process-detail process-command mono" title={process.commandLine}>
          <ClientText text={truncate(process.commandLine, MAX_COMMAND_LINE_CHARS)} />
        </div>
      )}
      {process.identity === undefined ? null : (
        <div className="process-identity" data-testid="process-identity">
          <ClientText text={describeIdentity(process.identity)} />
        </div>
      )}
      {process.holders === undefined ? null : (
        <div className="process-note" data-testid="process-holders">
          Held by {process.holders.length} processes:{' '}
          <ClientText text={process.holders.map((h) => `pid ${h.pid}${h.executable === undefined ? '' : ` (${basename(h.executable)})`}`).join(', ')} />.
        </div>
      )}
      {process.identity === undefined && process.unverifiedReason !== undefined && process.unverifiedReason !== 'platform' ? (
        <div className="process-note">No always-allow rule applies: {UNVERIFIED_TEXT[process.unverifiedReason]}.</div>
      ) : null}
      {claimedOther ? (
        <div className="process-note">
          It claimed to be pid {process.claimedPid}; the connection belongs to pid {process.pid}.
        </div>
      ) : null}
    </div>
  );
}
