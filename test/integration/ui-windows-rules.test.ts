/**
 * Rules in the windows (built renderer in headless Chromium, real core and
 * keychain): the manager's "Always allow" shows the verified process the rule
 * will be bound to before saving; the Rules tab names it; an approval window
 * whose rule did not apply says why and shows the asking process's identity.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { KeyholdClient, isKeyholdError } from '../../src/bridge/index.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { answer, BrowserHarness } from '../harness/browser-harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const keychain = createSystemKeychain();
const SERVER = `rules-ui-${process.pid}`;
const OTHER = `rules-ui-other-${process.pid}`;
const THIS_FILE = fileURLToPath(import.meta.url);

describe('rules in the windows', { skip: process.platform !== 'linux' ? 'needs /proc (Linux) for verified processes' : false }, () => {
  let harness: BrowserHarness;
  let cleanup: () => Promise<void>;
  const clients: KeyholdClient[] = [];
  const connect = (server: string): KeyholdClient => {
    const client = new KeyholdClient({ server: { name: server }, url: harness.core.url, token: harness.core.token });
    clients.push(client);
    return client;
  };

  before(async () => {
    const dir = await makeTempDir();
    cleanup = dir.cleanup;
    harness = await BrowserHarness.start({ dataDir: dir.path });
    await harness.core.vault.put(SERVER, { token: 'ghp_rules_ui' });
    await harness.core.vault.put(OTHER, { token: 'other_rules_ui' });
  });
  after(async () => {
    for (const client of clients) await client.close();
    await harness.stop();
    for (const server of [SERVER, OTHER]) await keychain.delete(keychainService(server), 'token');
    await cleanup();
  });

  it('Always allow shows the verified process first, binds the rule to it, and the Rules tab names it', async () => {
    const client = connect(SERVER);
    const since = harness.opened.length;
    const reading = client.get(['token']);
    const approval = await harness.promptWindow(since, 'approval');
    assert.match((await approval.page.getByTestId('process-identity').textContent()) ?? '', /^node .*ui-windows-rules\.test\.ts.*, started by /);
    await answer(approval.page, 'allow');
    await reading;

    const { page } = await harness.openManager();
    await page.getByTestId(`always-allow-${SERVER}-token`).click();
    const dialog = page.getByTestId('always-allow-dialog');
    await dialog.getByTestId('rule-candidate').first().waitFor();
    assert.equal(await dialog.getByTestId('rule-candidate').count(), 1, 'the live connection that also read the secret is one process');
    assert.match((await dialog.getByTestId('identity-details').textContent()) ?? '', new RegExp(`Script${THIS_FILE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.deepEqual(harness.core.rules.list(), [], 'nothing is saved before the click');
    await dialog.getByTestId('always-allow-save').click();
    await dialog.waitFor({ state: 'detached' });
    const [rule] = harness.core.rules.list();
    assert.equal(rule?.identity?.script, THIS_FILE);

    await page.getByTestId('tab-rules').click();
    assert.match((await page.getByTestId(`rule-identity-${rule?.id ?? ''}`).textContent()) ?? '', /ui-windows-rules\.test\.ts/);
    const before = harness.opened.length;
    assert.deepEqual(await connect(SERVER).get(['token']), { token: 'ghp_rules_ui' }, 'the same process reads without a window');
    assert.equal(harness.opened.length, before);
  });

  it('an approval window whose rule did not apply says why', async () => {
    await harness.core.rules.add(OTHER, 'token', { executable: '/usr/bin/python3.12', script: '/opt/mcp/other/server.py', client: { kind: 'claude', executable: '/opt/Claude/claude' } });
    const since = harness.opened.length;
    const reading = connect(OTHER).get(['token']).then(() => 'allowed', (error: unknown) => (isKeyholdError(error, 'denied') ? 'denied' : error));
    const { page } = await harness.promptWindow(since, 'approval');
    const note = (await page.getByTestId('rule-note').textContent()) ?? '';
    assert.match(note, /made for another process: program \S*node instead of \/usr\/bin\/python3\.12; script \S*ui-windows-rules\.test\.ts instead of \/opt\/mcp\/other\/server\.py/);
    assert.match(note, /instead of Claude/);
    await answer(page, 'deny');
    assert.equal(await reading, 'denied');
  });
});
