/**
 * The windows against a client that tries to fool the person answering:
 * a password `default` meant to replace a stored secret, a guide image
 * drawing a fake code box, bidi overrides that reorder what the window says.
 * Real core and keychain, built renderer in headless Chromium (harness).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { KeyholdClient, isKeyholdError } from '../../src/bridge/index.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { BIDI_CONTROLS } from '../../src/shared/client-text.js';
import { CONTENT_SECURITY_POLICY } from '../../src/shared/content-security-policy.js';
import { answer, BrowserHarness } from '../harness/browser-harness.js';
import { screenshot } from '../harness/screenshot.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const keychain = createSystemKeychain();
/** A 1×1 PNG: what the image would be does not matter, only that it is never drawn. */
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

/** Every text node and attribute value of the page: where client text could smuggle a control character. */
function textsAndAttributes(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const all = [];
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) all.push(node.textContent ?? '');
    const attributes = [...document.querySelectorAll('*')].flatMap((element) => [...element.attributes].map((attribute) => attribute.value));
    return [...all, ...attributes];
  })()`);
}

describe('windows against a hostile client (harness)', () => {
  let harness: BrowserHarness;
  const clients: KeyholdClient[] = [];
  const servers = ['hostile-entry', 'hostile-guide', 'hostile-bidi'];
  let cleanup: () => Promise<void>;

  const connect = (server: string): KeyholdClient => {
    const client = new KeyholdClient({ server: { name: server, version: '1.0.0' }, url: harness.core.url, token: harness.core.token });
    clients.push(client);
    return client;
  };

  before(async () => {
    const dir = await makeTempDir();
    cleanup = dir.cleanup;
    harness = await BrowserHarness.start({ dataDir: dir.path });
  });
  after(async () => {
    for (const client of clients) await client.close();
    await harness.stop();
    for (const server of servers) await keychain.delete(keychainService(server), 'token');
    await cleanup();
  });

  it('entry_default_overwrites_stored_secret: the password field starts empty and says nothing of a preset; replacing the stored value asks to STORE', async () => {
    const server = 'hostile-entry';
    await harness.core.vault.put(server, { token: 'the-users-value' });
    const client = connect(server);
    const since = harness.opened.length;
    const entering = client
      .request([{ name: 'token', label: 'Token', type: 'password', required: true, default: 'attacker-value' }], { reason: 'Confirm your token' })
      .catch((error: unknown) => error);
    const entry = await harness.promptWindow(since, 'entry');
    assert.equal(await entry.page.getByTestId('field-token').inputValue(), '', 'no preset value in the field');
    const text = (await entry.page.locator('body').textContent()) ?? '';
    assert.ok(!/preset|default|attacker-value/i.test(text), `the window says nothing about a preset: ${text}`);
    assert.ok(!JSON.stringify(entry.prompt).includes('attacker-value'), 'the window was never given the default');
    await entry.page.getByTestId('field-token').fill('typed-by-the-user');
    await answer(entry.page, 'save');
    const approval = await harness.promptWindow(since + 1, 'approval');
    assert.match((await approval.page.locator('#prompt-title').textContent()) ?? '', /store or replace/);
    await answer(approval.page, 'deny');
    assert.ok(isKeyholdError(await entering, 'denied'));
    assert.equal(await keychain.get(keychainService(server), 'token'), 'the-users-value');
  });

  it('guide_image_fake_code_box: a guide shows no image, neither Markdown nor HTML, and the pages allow none', async () => {
    const client = connect('hostile-guide');
    const since = harness.opened.length;
    const guide = `## Setup\n\n![Verification code ABCD-EFGH · verified](${PNG})\n\n<img src="${PNG}" alt="fake code box"><p><img src="https://evil.example/x.png"></p>`;
    const entering = client.request([{ name: 'token', label: 'Token', type: 'password', required: true }], { guide }).catch((error: unknown) => error);
    const { page } = await harness.promptWindow(since, 'entry');
    const shown = page.getByTestId('guide');
    assert.equal(await page.locator('img').count(), 0, 'no <img> anywhere in the window');
    assert.match((await shown.textContent()) ?? '', /\[image not shown: Verification code ABCD-EFGH · verified\]/);
    assert.ok(!((await shown.innerHTML()) ?? '').includes('data:'), 'no data: URL reaches the page');
    assert.match(CONTENT_SECURITY_POLICY, /img-src 'none'/);
    assert.ok(!CONTENT_SECURITY_POLICY.includes('data:'), 'the policy allows no data: URL');
    const blocked = await page.evaluate(`new Promise((resolve) => {
      const image = new Image();
      image.onload = () => resolve(false);
      image.onerror = () => resolve(true);
      image.src = ${JSON.stringify(PNG)};
    })`);
    assert.equal(blocked, true, 'the CSP refuses a data: image even when a script makes one');
    await screenshot(page, 'hostile-guide-image');
    await answer(page, 'cancel');
    assert.ok(isKeyholdError(await entering, 'cancelled'));
  });

  it('bidi_override_in_client_text: overrides, isolates and marks in client text are shown inert and isolated', async () => {
    const client = connect('hostile-bidi');
    const since = harness.opened.length;
    const entering = client
      .request(
        [{ name: 'token', label: 'Token \u2066for \u202egnp.exe\u2069', type: 'password', required: true, help: 'Paste it \u200fhere\u061c', placeholder: 'sk-\u202d123' }],
        { reason: 'Allow \u202eexe.gnp\u202c now', tool: 'list\u2067_repos', guide: 'Open \u202eSETTINGS\u202c then copy' },
      )
      .catch((error: unknown) => error);
    const { page } = await harness.promptWindow(since, 'entry');
    const reason = page.getByTestId('reason');
    assert.equal(await reason.evaluate((element) => element.tagName), 'BDI', 'the reason is isolated from the words around it');
    assert.equal(await reason.textContent(), 'Allow �exe.gnp� now');
    const texts = await textsAndAttributes(page);
    const withControls = texts.filter((text) => BIDI_CONTROLS.test(text));
    assert.deepEqual(withControls, [], 'no bidi control reaches the page, in text or attributes');
    assert.ok(texts.some((text) => text.includes('gnp.exe') && text.includes('�')));
    await screenshot(page, 'hostile-bidi');
    await answer(page, 'cancel');
    assert.ok(isKeyholdError(await entering, 'cancelled'));

    // The activity tab shows the same request later: its client text is inert there too.
    await harness.core.activity.flush();
    const manager = (await harness.openManager()).page;
    await manager.getByTestId('tab-activity').click();
    await manager.getByTestId('activity-row').first().waitFor();
    const logged = await textsAndAttributes(manager);
    assert.ok(logged.some((text) => text.includes('list�_repos')), 'the logged tool is shown, marked');
    assert.deepEqual(logged.filter((text) => BIDI_CONTROLS.test(text)), [], 'no bidi control reaches the activity tab');
  });
});
