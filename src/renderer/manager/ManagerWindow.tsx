/**
 * The Keyhold manager: stored secrets, session grants and pending prompts,
 * always-allow rules, the activity log, and settings, one tab each.
 *
 * State comes from main and is reloaded on every `changed` event (and after
 * each action). Failures of actions show in one banner at the top.
 */
import { useCallback, useState } from 'react';

import { ErrorBanner } from '../shared/ErrorBanner.js';
import { errorMessage } from '../shared/format.js';
import { LockIcon } from '../shared/icons.js';
import { ActivityTab } from './ActivityTab.js';
import type { RunAction } from './run-action.js';
import { RulesTab } from './RulesTab.js';
import { SecretsTab } from './SecretsTab.js';
import { SessionsTab } from './SessionsTab.js';
import { SettingsTab } from './SettingsTab.js';
import { TabPanel, Tabs, type TabSpec } from './Tabs.js';
import { useManagerState } from './use-manager-state.js';

type TabId = 'secrets' | 'sessions' | 'rules' | 'activity' | 'settings';

export function ManagerWindow() {
  const { state, loadError, changeCount, reload } = useManagerState();
  const [tab, setTab] = useState<TabId>('secrets');
  const [actionError, setActionError] = useState<string | null>(null);

  const run = useCallback<RunAction>(
    async (action) => {
      setActionError(null);
      try {
        return await action();
      } catch (failure) {
        setActionError(errorMessage(failure));
        return undefined;
      } finally {
        await reload();
      }
    },
    [reload],
  );

  const tabs: ReadonlyArray<TabSpec<TabId>> = [
    { id: 'secrets', label: 'Secrets' },
    { id: 'sessions', label: 'Sessions', count: state === null ? 0 : state.grants.length + state.pending.length },
    { id: 'rules', label: 'Rules' },
    { id: 'activity', label: 'Activity' },
    { id: 'settings', label: 'Settings' },
  ];

  const selectTab = (id: TabId): void => {
    setTab(id);
    setActionError(null);
  };

  return (
    <div className="manager">
      <header className="manager-header">
        <div className="app-title">
          <LockIcon className="app-icon" />
          <span>Keyhold</span>
        </div>
        <Tabs label="Keyhold" tabs={tabs} selected={tab} onSelect={selectTab} />
        <div className="app-title-balance" aria-hidden="true" />
      </header>

      <main className="manager-content">
        {loadError === null ? null : <ErrorBanner message={loadError} />}
        {actionError === null ? null : <ErrorBanner message={actionError} onDismiss={() => setActionError(null)} />}
        {state === null ? (
          loadError === null ? <p className="loading">Loading…</p> : null
        ) : (
          <TabPanel id={tab}>
            {tab === 'secrets' ? <SecretsTab servers={state.servers} run={run} /> : null}
            {tab === 'sessions' ? <SessionsTab grants={state.grants} pending={state.pending} run={run} /> : null}
            {tab === 'rules' ? <RulesTab rules={state.rules} run={run} /> : null}
            {tab === 'activity' ? <ActivityTab changeCount={changeCount} /> : null}
            {tab === 'settings' ? <SettingsTab settings={state.settings} run={run} /> : null}
          </TabPanel>
        )}
      </main>
    </div>
  );
}
