/** Every part of a verified process identity (shared/process-identity.ts), one labelled line each, for the windows that bind or check a rule. */
import { CLIENT_LABELS, type ProcessIdentity } from '../../shared/process-identity.js';

export function IdentityDetails({ identity }: { identity: ProcessIdentity }) {
  const client = `${CLIENT_LABELS[identity.client.kind]}${identity.client.executable === undefined ? '' : ` — ${identity.client.executable}`}`;
  return (
    <dl className="identity-details" data-testid="identity-details">
      <dt>Program</dt>
      <dd className="mono">{identity.executable}</dd>
      {identity.script === undefined ? null : (
        <>
          <dt>Script</dt>
          <dd className="mono">{identity.script}</dd>
        </>
      )}
      {identity.arguments === undefined ? null : (
        <>
          <dt>Arguments</dt>
          <dd className="mono">{identity.arguments}</dd>
        </>
      )}
      {identity.preloads === undefined ? null : (
        <>
          <dt>Preloaded</dt>
          <dd className="mono">{identity.preloads.join(' ')}</dd>
        </>
      )}
      {identity.package === undefined ? null : (
        <>
          <dt>Package</dt>
          <dd className="mono">{identity.package}</dd>
        </>
      )}
      <dt>Started by</dt>
      <dd className="mono">{client}</dd>
    </dl>
  );
}
