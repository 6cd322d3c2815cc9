import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KeyholdTray, toMenuTemplate, type TrayIcon } from '../../src/main/electron/tray.js';
import {
  buildTrayMenu,
  trayClickAction,
  trayStateFrom,
  trayTooltip,
  type TrayAction,
  type TrayMenuItem,
  type TrayState,
} from '../../src/main/electron/tray-menu.js';

const empty: TrayState = { pending: [], grants: [], servers: [], startAtLogin: false };

const busy: TrayState = {
  pending: [
    { promptId: 'p1', kind: 'approval', server: 'github', verificationCode: 'ABCD-EFGH' },
    { promptId: 'p2', kind: 'entry', server: 'slack', verificationCode: 'JKLM-NPQR' },
  ],
  grants: [
    { id: 'g1', server: 'github', names: ['token'] },
    { id: 'g2', server: 'slack', names: ['bot_token', 'signing_secret'] },
  ],
  servers: [
    { name: 'github', secrets: ['token'] },
    { name: 'slack', secrets: ['bot_token', 'signing_secret'] },
    { name: 'empty', secrets: [] },
  ],
  startAtLogin: true,
};

const labels = (items: readonly TrayMenuItem[]): Array<string | undefined> => items.map((i) => (i.type === 'separator' ? '---' : i.label));
const find = (items: readonly TrayMenuItem[], label: string): TrayMenuItem => {
  const item = items.find((i) => i.label === label);
  assert.ok(item, `no item "${label}" in ${JSON.stringify(labels(items))}`);
  return item;
};

describe('tray menu (pure builder)', () => {
  it('empty state: says so everywhere, and still offers Open Keyhold, Start at login and Quit', () => {
    const menu = buildTrayMenu(empty);
    assert.deepEqual(labels(menu), [
      'No pending requests',
      '---',
      'No session grants',
      '---',
      'No stored secrets',
      '---',
      'Open Keyhold',
      'Start at login',
      '---',
      'Quit Keyhold',
    ]);
    for (const label of ['No pending requests', 'No session grants', 'No stored secrets']) assert.equal(find(menu, label).enabled, false);
    assert.equal(menu.some((i) => i.action?.type === 'revoke-all'), false, 'no Lock item without grants');
    assert.deepEqual(find(menu, 'Start at login'), { label: 'Start at login', type: 'checkbox', checked: false, action: { type: 'toggle-login' } });
    assert.deepEqual(find(menu, 'Open Keyhold').action, { type: 'open-manager' });
    assert.deepEqual(find(menu, 'Quit Keyhold').action, { type: 'quit' });
  });

  it('counts pending requests and lists each with its verification code; a click focuses that prompt', () => {
    const menu = buildTrayMenu(busy);
    assert.deepEqual(menu[0], { label: '2 pending requests', enabled: false });
    assert.deepEqual(menu[1], { label: 'Approve: github (ABCD-EFGH)', action: { type: 'focus-prompt', promptId: 'p1' } });
    assert.deepEqual(menu[2], { label: 'Enter: slack (JKLM-NPQR)', action: { type: 'focus-prompt', promptId: 'p2' } });
    assert.equal(buildTrayMenu({ ...busy, pending: busy.pending.slice(0, 1) })[0]?.label, '1 pending request');
  });

  it('lists session grants, each revocable, plus Revoke all (Lock)', () => {
    const menu = buildTrayMenu(busy);
    assert.equal(find(menu, '2 session grants').enabled, false);
    assert.deepEqual(find(menu, 'Revoke github: token').action, { type: 'revoke-grant', grantId: 'g1' });
    assert.deepEqual(find(menu, 'Revoke slack: bot_token, signing_secret').action, { type: 'revoke-grant', grantId: 'g2' });
    assert.deepEqual(find(menu, 'Revoke all (Lock)').action, { type: 'revoke-all' });
    assert.ok(find(buildTrayMenu({ ...busy, grants: busy.grants.slice(1) }), '1 session grant'));
  });

  it('shows stored secret names by server in submenus (servers without secrets left out), never values', () => {
    const menu = buildTrayMenu(busy);
    const stored = find(menu, 'Stored secrets (3)');
    assert.equal(stored.type, 'submenu');
    assert.deepEqual(labels(stored.submenu ?? []), ['github (1)', 'slack (2)']);
    const slack = find(stored.submenu ?? [], 'slack (2)');
    assert.deepEqual(labels(slack.submenu ?? []), ['bot_token', 'signing_secret', '---', 'Manage…']);
    assert.equal(find(slack.submenu ?? [], 'bot_token').enabled, false);
    assert.deepEqual(find(slack.submenu ?? [], 'Manage…').action, { type: 'open-manager' });
  });

  it('Start at login unavailable (macOS development run): shown disabled, with no action', () => {
    const item = find(buildTrayMenu({ ...busy, startAtLoginUnavailable: true }), 'Start at login (installed app only)');
    assert.deepEqual(item, { label: 'Start at login (installed app only)', type: 'checkbox', checked: false, enabled: false });
  });

  it('reflects Start at login as a checked checkbox', () => {
    assert.equal(find(buildTrayMenu(busy), 'Start at login').checked, true);
  });

  it('clips long labels', () => {
    const long = 'x'.repeat(64);
    const menu = buildTrayMenu({ ...empty, grants: [{ id: 'g', server: 'srv', names: [long, long] }] });
    const item = menu.find((i) => i.action?.type === 'revoke-grant');
    assert.ok(item?.label !== undefined && item.label.length <= 60 && item.label.endsWith('…'));
  });

  it('tooltip and left click follow the pending requests', () => {
    assert.equal(trayTooltip(empty), 'Keyhold');
    assert.equal(trayTooltip(busy), 'Keyhold — 2 pending requests');
    assert.deepEqual(trayClickAction(empty), { type: 'open-manager' });
    assert.deepEqual(trayClickAction(busy), { type: 'focus-prompt', promptId: 'p1' });
  });

  it('trayStateFrom reads the core, the board and the login item', () => {
    const state = trayStateFrom(
      {
        vault: { servers: () => ['github'], list: () => [{ name: 'token' }] },
        grants: { list: () => [{ id: 'g1', server: 'github', names: ['token'] }] },
      },
      { list: () => [{ id: 'p1', kind: 'approval', server: 'github', verificationCode: 'ABCD-EFGH' }] },
      { get: () => true },
    );
    assert.deepEqual(state, {
      pending: [{ promptId: 'p1', kind: 'approval', server: 'github', verificationCode: 'ABCD-EFGH' }],
      grants: [{ id: 'g1', server: 'github', names: ['token'] }],
      servers: [{ name: 'github', secrets: ['token'] }],
      startAtLogin: true,
    });
  });
});

describe('tray (wiring)', () => {
  it('turns items into a menu template whose clicks emit the typed actions, submenus included', () => {
    const actions: TrayAction[] = [];
    const template = toMenuTemplate(buildTrayMenu(busy), (a) => actions.push(a));
    const clickable = (items: typeof template): Array<() => void> =>
      items.flatMap((i) => [...(typeof i.click === 'function' ? [i.click as () => void] : []), ...(Array.isArray(i.submenu) ? clickable(i.submenu) : [])]);
    for (const click of clickable(template)) click();
    assert.deepEqual(
      actions.map((a) => a.type),
      ['focus-prompt', 'focus-prompt', 'revoke-grant', 'revoke-grant', 'revoke-all', 'open-manager', 'open-manager', 'open-manager', 'toggle-login', 'quit'],
    );
    assert.equal(template.some((i) => 'action' in i), false, 'no action field leaks into the Electron template');
  });

  it('builds the menu and tooltip at start, rebuilds once per burst of changes, and stops on dispose', () => {
    let state: TrayState = empty;
    const listeners = new Set<() => void>();
    const queued: Array<() => void> = [];
    const menus: unknown[] = [];
    const tooltips: string[] = [];
    let destroyed = false;
    const clicks: Array<() => void> = [];
    const icon: TrayIcon<string> = {
      setToolTip: (t) => tooltips.push(t),
      setContextMenu: (m) => menus.push(m),
      on: (_event, listener) => clicks.push(listener),
      destroy: () => {
        destroyed = true;
      },
      isDestroyed: () => destroyed,
    };
    const actions: TrayAction[] = [];
    const tray = new KeyholdTray<string>({
      createTray: () => icon,
      buildMenu: (template) => `menu of ${template.length}`,
      state: () => state,
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      onAction: (a) => actions.push(a),
      schedule: (run) => queued.push(run),
      refreshEveryMs: 0,
      leftClickActs: true,
    });
    assert.deepEqual(tooltips, ['Keyhold']);
    assert.equal(menus.length, 1);

    state = busy;
    for (const listener of listeners) {
      listener();
      listener();
    }
    assert.equal(queued.length, 1, 'a burst of changes schedules one rebuild');
    queued.shift()?.();
    assert.deepEqual(tooltips, ['Keyhold', 'Keyhold — 2 pending requests']);
    assert.equal(menus.length, 2);

    // The minute timer (or any refresh) with nothing changed leaves the menu alone.
    tray.refresh();
    tray.refresh();
    assert.equal(menus.length, 2, 'an unchanged menu is not rebuilt');
    assert.equal(tooltips.length, 2);
    state = empty;
    tray.refresh();
    assert.equal(menus.length, 3, 'a changed one is');

    clicks[0]?.();
    assert.deepEqual(actions, [{ type: 'open-manager' }]);
    state = busy;

    tray.dispose();
    assert.equal(destroyed, true);
    assert.equal(listeners.size, 0);
    tray.refresh();
    assert.equal(menus.length, 3, 'no rebuild after dispose');

    const quiet = new KeyholdTray<string>({ createTray: () => ({ ...icon, isDestroyed: () => false }), buildMenu: () => '', state: () => busy, subscribe: () => () => undefined, onAction: () => undefined, refreshEveryMs: 0, leftClickActs: false });
    assert.equal(clicks.length, 1, 'no click handler where a click opens the menu (macOS)');
    quiet.dispose();
  });
});
