/** Always-allow rules: secrets a server gets without a prompt. Added from the Secrets tab, removed here. */
import type { ManagerState } from '../../shared/ipc-contract.js';
import { formatDate, formatDateTime } from '../shared/format.js';
import { api } from './api.js';
import { GroupSection } from './GroupSection.js';
import { ListRow, ListTable } from './ListTable.js';
import type { RunAction } from './run-action.js';

export function RulesTab({ rules, run }: { rules: ManagerState['rules']; run: RunAction }) {
  return (
    <div className="stack">
      <GroupSection
        headingId="rules-heading"
        title="Always allow"
        description="These secrets are given to their server without asking. Add a rule with “Always allow” on the Secrets tab."
      >
        <ListTable
          items={rules}
          empty="No rules. Keyhold asks you every time."
          columns={['Server', 'Secret', { label: 'Added', className: 'cell-date' }]}
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
              <td className="cell-date">
                <time dateTime={new Date(rule.createdAt).toISOString()} title={formatDateTime(rule.createdAt)}>
                  {formatDate(rule.createdAt)}
                </time>
              </td>
            </ListRow>
          )}
        />
      </GroupSection>
    </div>
  );
}
