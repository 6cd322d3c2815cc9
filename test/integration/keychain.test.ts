/**
 * The keychain adapter against the real Secret Service: the four operations,
 * the keyhold/<server> namespace, and failures as `unavailable` without values.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createSystemKeychain, describeKeychainFailure, keychainService } from '../../src/main/core/keychain.js';

describe('system keychain (Secret Service)', () => {
  const keychain = createSystemKeychain();
  const service = keychainService(`kc-${process.pid}${Date.now().toString(36)}`);

  it('stores, reads, lists and deletes under keyhold/<server>', async () => {
    assert.match(service, /^keyhold\//);
    assert.equal(await keychain.get(service, 'token'), null);
    await keychain.set(service, 'token', 'unicode ✓ value with spaces');
    await keychain.set(service, 'user', 'octocat');
    assert.equal(await keychain.get(service, 'token'), 'unicode ✓ value with spaces');
    assert.deepEqual((await keychain.accounts(service)).sort(), ['token', 'user']);
    await keychain.set(service, 'token', 'replaced');
    assert.equal(await keychain.get(service, 'token'), 'replaced');
    assert.equal(await keychain.delete(service, 'token'), true);
    assert.equal(await keychain.delete(service, 'token'), false);
    assert.equal(await keychain.delete(service, 'user'), true);
    assert.deepEqual(await keychain.accounts(service), []);
  });

  it('failure messages carry the platform’s reason and a hint, never a value', () => {
    const message = describeKeychainFailure(new Error('Platform secure storage failure: DBus error\nsecret: hunter2'));
    assert.match(message, /Platform secure storage failure/);
    assert.doesNotMatch(message, /hunter2/, 'only the first line of the library message is kept');
  });
});
