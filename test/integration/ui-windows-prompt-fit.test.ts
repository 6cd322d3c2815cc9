/**
 * Prompt windows as the user sees them, in headless Chromium with the built
 * renderer and the real core:
 *  - their pages lay out at natural height, so main can fit the window to the
 *    content (no empty band between the countdown and the buttons), in light
 *    and dark;
 *  - a pre-loaded ("warm") window reloaded after main assigned it its prompt
 *    (Cmd/Ctrl+R, a restarted page) shows the prompt again instead of a blank page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { KeyholdClient } from '../../src/bridge/index.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { fittedHeight, PROMPT_HEIGHTS } from '../../src/main/electron/window-factory.js';
import { answer, BrowserHarness, type OpenedWindow } from '../harness/browser-harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const keychain = createSystemKeychain();
const SERVER = 'prompt-fit';

describe('prompt windows fit their content; a reloaded warm window keeps its prompt', () => {
  let harness: BrowserHarness;
  let client: KeyholdClient;
  let cleanup: () => Promise<void>;

  const approvalWindow = (since: number): Promise<OpenedWindow> => harness.promptWindow(since, 'approval');

  before(async () => {
    const dir = await makeTempDir();
    cleanup = dir.cleanup;
    harness = await BrowserHarness.start({ dataDir: dir.path });
    await harness.core.vault.put(SERVER, { token: 'fit-value' });
    client = new KeyholdClient({ server: { name: SERVER }, url: harness.core.url, token: harness.core.token });
  });
  after(async () => {
    await client.close();
    await harness.stop();
    await keychain.delete(keychainService(SERVER), 'token');
    await cleanup();
  });

  it('the approval page is as tall as its content, with the buttons right under the countdown (light and dark)', async () => {
    const since = harness.opened.length;
    const reading = client.get(['token'], { reason: 'Check the layout' });
    const { page } = await approvalWindow(since);
    // A window taller than the content: a page that stretches to it would leave a band.
    await page.setViewportSize({ width: 460, height: 900 });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const layout = await page.evaluate<{ page: number; gap: number }>(`(() => {
        const countdown = document.querySelector('.approval-countdown').getBoundingClientRect();
        const footer = document.querySelector('.prompt-footer').getBoundingClientRect();
        return { page: document.documentElement.offsetHeight, gap: footer.top - countdown.bottom };
      })()`);
      assert.ok(layout.page < 700, `${scheme}: the page is ${layout.page}px tall in a 900px window`);
      assert.ok(layout.gap < 40, `${scheme}: ${layout.gap}px between the countdown and the buttons`);
      assert.ok(fittedHeight('approval', layout.page) >= PROMPT_HEIGHTS.approval.min && fittedHeight('approval', layout.page) === Math.ceil(layout.page), 'the window takes exactly the page height');
    }
    await answer(page, 'allow');
    assert.deepEqual(await reading, { token: 'fit-value' });
  });

  it('reloading a warm window after its prompt was assigned shows that prompt again', async () => {
    // The first approval above made the harness pre-load a warm approval page; this prompt gets it.
    await harness.waitForWarm('approval');
    const since = harness.opened.length;
    const codes: string[] = [];
    const reading = client.get(['token'], { reason: 'Reload me', onPending: (event) => codes.push(event.verificationCode) });
    const { page } = await approvalWindow(since);
    assert.match(page.url(), /#warm$/, 'served by the pre-loaded page');
    await page.reload();
    const code = page.getByTestId('verification-code');
    // (Before the page pulled its assignment, it stayed blank here.)
    await code.waitFor({ timeout: 15_000 });
    assert.equal(await code.textContent(), codes[0]);
    await answer(page, 'allow');
    assert.deepEqual(await reading, { token: 'fit-value' });
  });
});
