/**
 * The windows as a user meets them: a bridge client's requests drive the
 * built renderer in headless Chromium, against the real core and keychain.
 * Screenshots of every window, light and dark, go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { KeyholdClient, isKeyholdError, type PendingEvent } from '../../src/bridge/index.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { answer, BrowserHarness, type OpenedWindow } from '../harness/browser-harness.js';
import { screenshot } from '../harness/screenshot.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const keychain = createSystemKeychain();
// Plain, realistic names (they appear in docs/screenshots). Every test run has its own
// throwaway keyring, and no other test file uses these servers.
const serverName = (label: string) => label;

describe('windows in a real browser (harness)', () => {
  let harness: BrowserHarness;
  const clients: KeyholdClient[] = [];
  const usedServers = new Set<string>();
  let cleanup: () => Promise<void>;

  const connect = (server: string): KeyholdClient => {
    usedServers.add(server);
    const client = new KeyholdClient({ server: { name: server, version: '2.1.0' }, url: harness.core.url, token: harness.core.token });
    clients.push(client);
    return client;
  };
  /** Stores a value straight into the vault, as an earlier session would have. */
  const store = async (server: string, values: Record<string, string>) => {
    usedServers.add(server);
    await harness.core.vault.put(server, values);
  };
  const windowFor = (since: number, kind: 'approval' | 'entry'): Promise<OpenedWindow> => harness.promptWindow(since, kind);

  before(async () => {
    const dir = await makeTempDir();
    cleanup = dir.cleanup;
    harness = await BrowserHarness.start({ dataDir: dir.path });
  });
  after(async () => {
    for (const client of clients) await client.close();
    await harness.stop();
    for (const server of usedServers) for (const name of ['token', 'api_key', 'endpoint', 'email']) await keychain.delete(keychainService(server), name);
    await cleanup();
  });

  it('approval: shows who asks, what and why, with the same code the client got; Allow returns the value', async () => {
    const server = serverName('github');
    await store(server, { token: 'ghp_window_allow' });
    const client = connect(server);
    const events: PendingEvent[] = [];
    const since = harness.opened.length;
    const reading = client.get(['token'], { reason: 'List open issues in keyhold/keyhold', tool: 'list_issues', onPending: (e) => events.push(e) });
    const { page } = await windowFor(since, 'approval');
    assert.equal(await page.getByTestId('verification-code').textContent(), events[0]?.verificationCode);
    assert.match((await page.getByTestId('server').textContent()) ?? '', new RegExp(server));
    assert.deepEqual(await page.getByTestId('secret-name').allTextContents(), ['token']);
    assert.match((await page.getByTestId('reason').textContent()) ?? '', /List open issues/);
    assert.match((await page.getByTestId('process').textContent()) ?? '', new RegExp(String(process.pid)));
    await page.getByTestId('process-verified').waitFor();
    await page.getByTestId('countdown').waitFor();
    await screenshot(page, 'approval');
    await answer(page, 'allow');
    assert.deepEqual(await reading, { token: 'ghp_window_allow' });
  });

  it('prompt_answered_by_accident: approval: Enter does not allow; Esc denies', async () => {
    const server = serverName('gitlab');
    await store(server, { token: 'v' });
    const client = connect(server);
    const since = harness.opened.length;
    const reading = client.get(['token']).catch((e: unknown) => e);
    const opened = await windowFor(since, 'approval');
    await opened.page.keyboard.press('Enter');
    await opened.page.waitForTimeout(200);
    assert.equal(harness.board.get(opened.prompt?.id ?? '')?.kind, 'approval', 'Enter answered nothing');
    // The answer closes the window, possibly while Playwright still waits on the key press.
    await opened.page.keyboard.press('Escape').catch(() => undefined);
    assert.ok(isKeyholdError(await reading, 'denied'));
  });

  it('Allow for session: the second read opens no window; Deny → denied', async () => {
    const server = serverName('linear');
    await store(server, { token: 'v-session' });
    const client = connect(server);
    let since = harness.opened.length;
    const first = client.get(['token']);
    await answer((await windowFor(since, 'approval')).page, 'allow-session');
    assert.deepEqual(await first, { token: 'v-session' });
    since = harness.opened.length;
    assert.deepEqual(await client.get(['token']), { token: 'v-session' });
    assert.equal(harness.opened.length, since, 'no window for the granted read');

    const other = connect(serverName('jira'));
    await store(serverName('jira'), { token: 'v-deny' });
    since = harness.opened.length;
    const denied = other.get(['token']).catch((e: unknown) => e);
    await answer((await windowFor(since, 'approval')).page, 'deny');
    assert.ok(isKeyholdError(await denied, 'denied'));
  });

  it('entry: validation errors as you type, fixed, then saved to the keychain', async () => {
    const server = serverName('example-cloud');
    const client = connect(server);
    const since = harness.opened.length;
    const entering = client.request(
      [
        { name: 'api_key', label: 'API key', type: 'password', required: true, pattern: 'sk_[A-Za-z0-9]{8,}', help: 'Starts with sk_' },
        { name: 'endpoint', label: 'API endpoint', type: 'url', required: false, default: 'https://api.example.com' },
        { name: 'email', label: 'Account email', type: 'email', required: true },
      ],
      {
        reason: 'Connect to Example Cloud',
        guide: '## Where to find your key\n1. Open **Settings → API keys** on [GitHub](https://github.com/settings/tokens)\n2. Create a key.\n\n<script>alert(1)</script><img src="https://evil.example/x.png">',
      },
    );
    const { page } = await windowFor(since, 'entry');
    const guide = page.getByTestId('guide');
    assert.match((await guide.innerHTML()) ?? '', /<strong>Settings → API keys<\/strong>/);
    assert.equal(await guide.locator('script').count(), 0, 'scripts are sanitised away');
    assert.equal(await page.getByTestId('field-endpoint').inputValue(), 'https://api.example.com', 'default prefilled');
    await page.getByTestId('field-api_key').fill('nope');
    await page.getByTestId('field-email').fill('not-an-email');
    await answer(page, 'save');
    await page.getByTestId('error-api_key').waitFor();
    await page.getByTestId('error-email').waitFor();
    assert.equal(await page.getByTestId('field-api_key').getAttribute('type'), 'password');
    await page.getByTestId('toggle-api_key').click();
    assert.equal(await page.getByTestId('field-api_key').getAttribute('type'), 'text', 'show/hide reveals the typed value');
    await page.getByTestId('toggle-api_key').click();
    await screenshot(page, 'entry');
    await page.getByTestId('field-api_key').fill('sk_live12345678');
    await page.getByTestId('field-email').fill('me@example.com');
    await page.getByTestId('error-api_key').waitFor({ state: 'detached' });
    await answer(page, 'save');
    assert.deepEqual(await entering, { api_key: 'sk_live12345678', endpoint: 'https://api.example.com', email: 'me@example.com' });
    assert.equal(await keychain.get(keychainService(server), 'api_key'), 'sk_live12345678');
  });

  it('entry: Cancel → cancelled', async () => {
    const client = connect(serverName('notion'));
    const since = harness.opened.length;
    const entering = client.get(['token']).catch((e: unknown) => e);
    await answer((await windowFor(since, 'entry')).page, 'cancel');
    assert.ok(isKeyholdError(await entering, 'cancelled'));
  });

  it('the client cancelling closes the window', async () => {
    const server = serverName('slack');
    await store(server, { token: 'v' });
    const client = connect(server);
    const controller = new AbortController();
    const since = harness.opened.length;
    const reading = client.get(['token'], { signal: controller.signal }).catch((e: unknown) => e);
    const opened = await windowFor(since, 'approval');
    controller.abort();
    assert.ok(isKeyholdError(await reading, 'cancelled'));
    await opened.closed;
    assert.equal(opened.page.isClosed(), true);
  });

  it('two servers asking at once get two windows, each with its own code', async () => {
    const a = serverName('stripe');
    const b = serverName('sentry');
    await store(a, { token: 'va' });
    await store(b, { token: 'vb' });
    const codes = new Map<string, string>();
    const since = harness.opened.length;
    const readA = connect(a).get(['token'], { onPending: (e) => codes.set(a, e.verificationCode) });
    const readB = connect(b).get(['token'], { onPending: (e) => codes.set(b, e.verificationCode) });
    const first = await windowFor(since, 'approval');
    const second = await windowFor(since + 1, 'approval');
    for (const opened of [first, second]) {
      const server = opened.prompt?.server ?? '';
      assert.equal(await opened.page.getByTestId('verification-code').textContent(), codes.get(server), `code of ${server}`);
    }
    assert.notEqual(codes.get(a), codes.get(b));
    await answer(first.page, 'allow');
    await answer(second.page, 'allow');
    assert.deepEqual([await readA, await readB], [{ token: 'va' }, { token: 'vb' }]);
  });

  it('manager: revoking a grant makes the next read prompt; deleting a secret makes it ask for entry', async () => {
    const server = serverName('openai');
    await store(server, { token: 'v-managed' });
    const client = connect(server);
    let since = harness.opened.length;
    const first = client.get(['token']);
    await answer((await windowFor(since, 'approval')).page, 'allow-session');
    await first;
    const manager = await harness.openManager();
    const page = manager.page;
    await page.getByTestId('tab-sessions').click();
    const grant = harness.core.grants.list().find((g) => g.server === server);
    assert.ok(grant);
    await page.getByTestId(`grant-${grant.id}`).waitFor();
    await screenshot(page, 'manager-sessions');
    await page.getByTestId(`revoke-${grant.id}`).click();
    await page.getByTestId(`grant-${grant.id}`).waitFor({ state: 'detached' });
    since = harness.opened.length;
    const second = client.get(['token']);
    await answer((await windowFor(since, 'approval')).page, 'allow');
    await second;

    await page.getByTestId('tab-secrets').click();
    await page.getByTestId(`secret-${server}-token`).waitFor();
    await screenshot(page, 'manager');
    await page.getByTestId(`delete-${server}-token`).click();
    await page.getByTestId('confirm-delete').click();
    await page.getByTestId(`secret-${server}-token`).waitFor({ state: 'detached' });
    assert.equal(await keychain.get(keychainService(server), 'token'), null);
    since = harness.opened.length;
    const third = client.get(['token']).catch((e: unknown) => e);
    const entry = await windowFor(since, 'entry');
    await answer(entry.page, 'cancel');
    assert.ok(isKeyholdError(await third, 'cancelled'));
    await manager.page.close();
  });

  it('a store request (keyhold set) says it changes secrets and offers no session grant', async () => {
    const server = serverName('cloudflare');
    await store(server, { token: 'old' });
    const client = connect(server);
    const since = harness.opened.length;
    const storing = client.put({ token: 'new-value-from-cli' }, { reason: 'keyhold set' });
    const { page } = await windowFor(since, 'approval');
    assert.match((await page.locator('#prompt-title').textContent()) ?? '', /wants to store or replace 1 secret/);
    assert.equal(await page.getByTestId('allow-session').count(), 0);
    await answer(page, 'allow');
    assert.deepEqual(await storing, { created: [], replaced: ['token'] });
    assert.equal(await keychain.get(keychainService(server), 'token'), 'new-value-from-cli');
  });

  it('no window could reach another window’s prompt or an unknown method', () => {
    assert.deepEqual(harness.rejected, []);
  });
});
