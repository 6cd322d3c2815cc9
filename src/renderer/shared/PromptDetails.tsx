/** The details list of a prompt window: who is asking, what the window adds (the secrets of an approval), then why and for which tool. */
import type { ReactNode } from 'react';

import type { ApprovalView } from '../../shared/ipc-contract.js';
import { ClientText } from './ClientText.js';
import { ProcessLine } from './ProcessLine.js';

interface PromptDetailsProps {
  readonly view: Pick<ApprovalView, 'process' | 'reason' | 'tool'>;
  /** Rows between "Requested by" and the reason. */
  readonly children?: ReactNode;
}

export function PromptDetails({ view, children }: PromptDetailsProps) {
  return (
    <dl className="details">
      <DetailRow label="Requested by">
        <ProcessLine process={view.process} />
      </DetailRow>
      {children}
      {view.reason === undefined ? null : (
        <DetailRow label="Reason">
          <ClientText className="selectable" testId="reason" text={view.reason} />
        </DetailRow>
      )}
      {view.tool === undefined ? null : (
        <DetailRow label="Tool">
          <ClientText className="mono" text={view.tool} />
        </DetailRow>
      )}
    </dl>
  );
}

/** A label/value row in a prompt's details list. */
export function DetailRow({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="detail-row">
      <dt className="detail-label">{label}</dt>
      <dd className="detail-value">{children}</dd>
    </div>
  );
}
