/**
 * The manager on a first run (nothing stored): it says Keyhold is running and
 * how to connect an MCP server, and lets the user add a secret by hand —
 * server, name and a hidden value — through the core's vault, as the manager's
 * other edits do. Built renderer in headless Chromium, real core and keychain.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { BrowserHarness, type OpenedWindow } from '../harness/browser-harness.js';
import { screenshot } from '../harness/screenshot.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const keychain = createSystemKeychain();
const SERVER = 'notion-first-run';

describe('manager: first run, and adding a secret by hand', () => {
  let harness: BrowserHarness;
  let manager: OpenedWindow;
  let cleanup: () => Promise<void>;

  before(async () => {
    const dir = await makeTempDir();
    cleanup = dir.cleanup;
    harness = await BrowserHarness.start({ dataDir: dir.path });
    manager = await harness.openManager();
  });
  after(async () => {
    await harness.stop();
    await keychain.delete(keychainService(SERVER), 'api_key');
    await cleanup();
  });

  it('with nothing stored, says Keyhold is running and how to connect a server', async () => {
    const { page } = manager;
    const firstRun = page.getByTestId('first-run');
    await firstRun.waitFor();
    const text = (await firstRun.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /Keyhold is running/);
    assert.match(text, /keyhold run/);
    assert.match(text, /npm install @keyhold\/bridge/);
    await screenshot(page, 'manager-first-run');
  });

  it('adds a secret: names checked as you type, the value hidden, stored in the keychain, listed, logged', async () => {
    const { page } = manager;
    await page.getByTestId('add-secret').click();
    await page.getByTestId('add-server').fill(SERVER);
    await page.getByTestId('add-name').fill('api key');
    await page.getByTestId('add-value').fill('secret_typed_by_hand_1');
    assert.equal(await page.getByTestId('add-value').getAttribute('type'), 'password', 'the value is hidden');
    await page.getByTestId('add-save').click();
    await page.getByTestId('add-name-problem').waitFor();
    assert.equal(await harness.core.vault.has(SERVER, 'api key'), false, 'nothing stored with a bad name');
    await page.getByTestId('add-name').fill('api_key');
    await page.getByTestId('add-name-problem').waitFor({ state: 'detached' });
    await screenshot(page, 'manager-add');
    await page.getByTestId('add-save').click();
    await page.getByTestId(`secret-${SERVER}-api_key`).waitFor();
    assert.equal(await keychain.get(keychainService(SERVER), 'api_key'), 'secret_typed_by_hand_1');
    const logged = await harness.core.activity.read({ server: SERVER });
    assert.deepEqual(logged.map((e) => [e.action, e.names]), [['added', ['api_key']]]);
    assert.equal(JSON.stringify(logged).includes('secret_typed_by_hand_1'), false, 'no value in the activity log');
  });

  it('adding a name that is already stored is refused with a message; the stored value stays', async () => {
    const { page } = manager;
    await page.getByTestId('add-secret').click();
    await page.getByTestId('add-server').fill(SERVER);
    await page.getByTestId('add-name').fill('api_key');
    await page.getByTestId('add-value').fill('another_value');
    await page.getByTestId('add-save').click();
    await page.getByText('is already stored for').waitFor();
    assert.equal(await keychain.get(keychainService(SERVER), 'api_key'), 'secret_typed_by_hand_1');
    // The form stays open, back on the name to fix; Esc closes it.
    for (let tries = 0; (await page.locator('#add-name').evaluate((el) => el.ownerDocument.activeElement === el)) !== true; tries++) {
      assert.ok(tries < 200, 'focus went back to the name field');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await page.keyboard.press('Escape');
    await page.getByTestId('add-secret-section').waitFor({ state: 'detached' });
  });
});
