/**
 * KEYHOLD_FALLBACK=env in @keyhold/bridge's KeyholdClient (what MCP servers
 * get, and what `keyhold run` follows): used only while the app is
 * unreachable, at once (no connect wait) when no app is running, one warning,
 * and a clear error when a variable is missing or the fallback is off.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { KeyholdClient, isKeyholdError } from '../../src/bridge/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('bridge client: KEYHOLD_FALLBACK=env while the app is unreachable', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  const clients: KeyholdClient[] = [];
  const client = (env: Record<string, string>, warnings: string[] = [], connectTimeoutMs = 300): KeyholdClient => {
    const made = new KeyholdClient({ server: { name: 'demo' }, env: { KEYHOLD_HOME: home.path, ...env }, connectTimeoutMs, onWarning: (m) => warnings.push(m) });
    clients.push(made);
    return made;
  };

  before(async () => {
    home = await makeTempDir('keyhold-fallback-');
  });
  after(async () => {
    for (const made of clients) await made.close();
    await home.cleanup();
  });

  it('reads KEYHOLD_SECRET_<SERVER>_<NAME> at once, with one warning that names variables, not values', async () => {
    const warnings: string[] = [];
    const kh = client({ KEYHOLD_FALLBACK: 'env', KEYHOLD_SECRET_DEMO_TOKEN: 'env-token-value', KEYHOLD_SECRET_DEMO_API_URL: 'https://x' }, warnings, 5_000);
    const started = Date.now();
    assert.deepEqual(await kh.get(['token']), { token: 'env-token-value' });
    assert.deepEqual(await kh.get(['token', 'api-url']), { token: 'env-token-value', 'api-url': 'https://x' });
    assert.ok(Date.now() - started < 2_000, 'no wait for the connect timeout when no app runs');
    assert.equal(warnings.length, 1, 'one warning');
    assert.match(warnings[0] ?? '', /KEYHOLD_SECRET_DEMO_TOKEN/);
    assert.ok(!(warnings[0] ?? '').includes('env-token-value'));
    assert.deepEqual(await kh.status(['token', 'missing']), [
      { name: 'token', exists: true, invalidated: false },
      { name: 'missing', exists: false, invalidated: false },
    ]);
  });

  it('a missing variable → not_found naming it; the fallback never opens a window or stores', async () => {
    const kh = client({ KEYHOLD_FALLBACK: 'env' });
    await assert.rejects(kh.get(['token']), (e) => isKeyholdError(e, 'not_found') && /KEYHOLD_SECRET_DEMO_TOKEN is not/.test(e.message));
    await assert.rejects(kh.put({ token: 'x-value-1' }), (e) => isKeyholdError(e, 'unavailable'));
  });

  it('fallback off → "not running" with how to opt in; an unknown KEYHOLD_FALLBACK value is named', async () => {
    await assert.rejects(client({ KEYHOLD_SECRET_DEMO_TOKEN: 'v' }, []).get(['token'], { timeoutMs: 1_000 }), (e) => {
      return isKeyholdError(e, 'unavailable') && /^The Keyhold app is not running/.test(e.message) && /KEYHOLD_FALLBACK=env/.test(e.message) && !e.message.includes(': v');
    });
    await assert.rejects(client({ KEYHOLD_FALLBACK: 'yes' }).get(['token']), (e) => isKeyholdError(e, 'unavailable') && /"yes", which this version does not know/.test(e.message));
  });
});
