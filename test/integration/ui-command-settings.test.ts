/**
 * Manager → Settings → the keyhold command, in a real browser (harness):
 * with the packaged app's installer (here on Linux, in a temp home) Install
 * links the launcher and Remove takes it away; without one (an unpackaged
 * app, the harness default) the section says it is not available.
 */
import assert from 'node:assert/strict';
import { existsSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createCommandInstaller } from '../../src/main/command-install/command-installer.js';
import { BrowserHarness } from '../harness/browser-harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const refuse = async (): Promise<never> => {
  throw new Error('not on Linux');
};

describe('manager settings: the keyhold command', { skip: process.platform !== 'linux' ? 'the Linux installer' : false }, () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    dir = await makeTempDir('keyhold-ui-command-');
  });
  after(() => dir.cleanup());

  it('Install links ~/.local/bin/keyhold to the launcher; Remove takes it away', async () => {
    const home = join(dir.path, 'home');
    const link = join(home, '.local', 'bin', 'keyhold');
    const installer = createCommandInstaller({
      platform: 'linux',
      home,
      cliDir: '/opt/Keyhold/resources/cli',
      env: { PATH: join(home, '.local', 'bin') },
      runAsAdmin: refuse,
      userPath: { get: refuse, set: refuse },
    });
    const harness = await BrowserHarness.start({ dataDir: join(dir.path, 'data1'), commandInstaller: installer });
    try {
      const { page } = await harness.openManager();
      await page.getByTestId('tab-settings').click();
      await page.getByTestId('command-install').click();
      await page.getByTestId('command-remove').waitFor();
      assert.equal(await page.getByTestId('command-state').textContent(), `Installed: ${link}`);
      assert.equal(readlinkSync(link), '/opt/Keyhold/resources/cli/keyhold');
      await page.getByTestId('command-remove').click();
      await page.getByTestId('command-install').waitFor();
      assert.ok(!existsSync(link));
    } finally {
      await harness.stop();
    }
  });

  it('without the packaged app it says why, and offers no button', async () => {
    const harness = await BrowserHarness.start({ dataDir: join(dir.path, 'data2') });
    try {
      const { page } = await harness.openManager();
      await page.getByTestId('tab-settings').click();
      await page.getByText('Only the installed Keyhold app puts the keyhold command on PATH.', { exact: false }).waitFor();
      assert.equal(await page.getByTestId('command-state').textContent(), 'Not available here.');
      assert.equal(await page.getByTestId('command-install').count(), 0);
    } finally {
      await harness.stop();
    }
  });
});
