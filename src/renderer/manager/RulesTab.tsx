/**
 * Always-allow rules: secrets one verified process gets without a prompt.
 * Each row names the process the rule is for; a rule from an older Keyhold
 * has none yet: it prompts until the user binds it here (Bind…). Rules are
 * added from the Secrets tab and removed here.
 */
import { useState } from 'react';

import type { ManagerState } from '../../shared/ipc-contract.js';
import { describeIdentity } from '../../shared/process-identity.js';
import { formatDate, formatDateTime } from '../shared/format.js';
import { AlwaysAllowDialog } from './AlwaysAllowDialog.js';
import { api } from './api.js';
import { GroupSection } from './GroupSection.js';
import { ListRow, ListTable } from './ListTable.js';
import type { RunAction } from './run-action.js';

type Rule = ManagerState['rules'][number];

export function RulesTab({ rules, run }: { rules: ManagerState['rules']; run: RunAction }) {
  const [binding, setBinding] = useState<Rule | null>(null);
  return (
    <div className="stack">
      <GroupSection
        headingId="rules-heading"
        title="Always allow"
        description="These secrets are given without asking to the process each rule names (program, script and the app that started it). Anything else asks. Add a rule with “Always allow” on the Secrets tab."
      >
        <ListTable
          items={rules}
          empty="No rules. Keyhold asks you every time."
          columns={['Server', 'Secret', 'Process', { label: 'Added', className: 'cell-date' }]}
          row={(rule) => (
            <ListRow
              key={rule.id}
              data-testid={`rule-${rule.id}`}
              server={rule.server}
              button={{
                label: 'Remove',
                ariaLabel: `Remove the rule for ${rule.name} of ${rule.server}`,
                testId: `remove-rule-${rule.id}`,
                onClick: () => void run(() => api.removeRule({ ruleId: rule.id })),
              }}
            >
              <td className="mono">{rule.name}</td>
              <td data-testid={`rule-identity-${rule.id}`}>
                {rule.identity === undefined ? (
                  <span className="rule-unbound">
                    <span className="badge badge-warn">no process yet — asks every time</span>{' '}
                    <button type="button" className="btn btn-small" data-testid={`bind-rule-${rule.id}`} onClick={() => setBinding(rule)}>
                      Bind…
                    </button>
                  </span>
                ) : (
                  <span className="mono" title={rule.identity.client.executable}>
                    {describeIdentity(rule.identity)}
                  </span>
                )}
              </td>
              <td className="cell-date">
                <time dateTime={new Date(rule.createdAt).toISOString()} title={formatDateTime(rule.createdAt)}>
                  {formatDate(rule.createdAt)}
                </time>
              </td>
            </ListRow>
          )}
        />
      </GroupSection>
      {binding === null ? null : <AlwaysAllowDialog server={binding.server} name={binding.name} run={run} onDone={() => setBinding(null)} />}
    </div>
  );
}
