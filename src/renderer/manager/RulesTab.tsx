/** Always-allow rules: secrets a server gets without a prompt. Added from the Secrets tab, removed here. */
import type { ManagerState } from '../../shared/ipc-contract.js';
import { formatDate, formatDateTime } from '../shared/format.js';
import { api } from './api.js';
import type { RunAction } from './run-action.js';

export function RulesTab({ rules, run }: { rules: ManagerState['rules']; run: RunAction }) {
  return (
    <div className="stack">
      <section className="group" aria-labelledby="rules-heading">
        <div className="group-header">
          <h2 id="rules-heading" className="group-title">
            Always allow
          </h2>
        </div>
        <p className="group-desc">These secrets are given to their server without asking. Add a rule with “Always allow” on the Secrets tab.</p>
        {rules.length === 0 ? (
          <p className="empty-inline">No rules. Keyhold asks you every time.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Server</th>
                <th scope="col">Secret</th>
                <th scope="col" className="cell-date">Added</th>
                <th scope="col" className="cell-actions">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rules.map((rule) => (
                <tr key={rule.id} data-testid={`rule-${rule.id}`}>
                  <th scope="row" className="strong">
                    {rule.server}
                  </th>
                  <td className="mono">{rule.name}</td>
                  <td className="cell-date">
                    <time dateTime={new Date(rule.createdAt).toISOString()} title={formatDateTime(rule.createdAt)}>
                      {formatDate(rule.createdAt)}
                    </time>
                  </td>
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={`Remove the rule for ${rule.name} of ${rule.server}`}
                      data-testid={`remove-rule-${rule.id}`}
                      onClick={() => void run(() => api.removeRule({ ruleId: rule.id }))}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
