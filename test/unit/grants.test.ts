import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DEFAULT_GRANT_TTL_MS, GrantStore } from '../../src/main/core/grants.js';

function clock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('session grants', () => {
  it('cover only the names, server and session they were given for', () => {
    const store = new GrantStore();
    store.grant('s1', 'github', 10, ['token', 'user']);
    assert.equal(store.covers('s1', 'github', ['token']), true);
    assert.equal(store.covers('s1', 'github', ['token', 'user']), true);
    assert.equal(store.covers('s1', 'github', ['token', 'other']), false);
    assert.equal(store.covers('s2', 'github', ['token']), false, 'another connection of the same server');
    assert.equal(store.covers('s1', 'gitlab', ['token']), false, 'another server');
  });

  it('session_grant_outlives_ttl: expire after the TTL (default 8 h), not a millisecond later', () => {
    const c = clock();
    const store = new GrantStore({ now: c.now });
    const grant = store.grant('s1', 'github', 10, ['token']);
    assert.equal(grant.expiresAt - grant.createdAt, DEFAULT_GRANT_TTL_MS);
    c.advance(DEFAULT_GRANT_TTL_MS - 1);
    assert.equal(store.covers('s1', 'github', ['token']), true);
    c.advance(1);
    assert.equal(store.covers('s1', 'github', ['token']), false);
    assert.equal(store.list().length, 0);
  });

  it('end with the session, on revoke, on revokeAll and when a name is replaced', () => {
    const store = new GrantStore();
    const a = store.grant('s1', 'github', 10, ['token']);
    store.grant('s2', 'github', 11, ['token']);
    store.grant('s3', 'slack', 12, ['bot']);
    assert.equal(store.endSession('s2'), 1);
    assert.equal(store.revoke(a.id), true);
    assert.equal(store.revoke(a.id), false);
    assert.equal(store.list().length, 1);
    store.grant('s4', 'github', 13, ['token', 'user']);
    assert.equal(store.revokeNames('github', ['user']), 1);
    assert.equal(store.revokeAll(), 1);
    assert.deepEqual(store.list(), []);
  });

  it('a new TTL applies to new grants only', () => {
    const store = new GrantStore({ ttlMs: 1000, now: () => 0 });
    const before = store.grant('s1', 'x', 1, ['a']);
    store.setTtl(50);
    const after = store.grant('s1', 'x', 1, ['b']);
    assert.equal(before.expiresAt, 1000);
    assert.equal(after.expiresAt, 50);
  });

  it('notify listeners on every change', () => {
    const store = new GrantStore();
    let changes = 0;
    const off = store.onChange(() => (changes += 1));
    const g = store.grant('s', 'x', 1, ['a']);
    store.revoke(g.id);
    off();
    store.grant('s', 'x', 1, ['a']);
    assert.equal(changes, 2);
  });

  it('tell onRemoved listeners which grants ended, whatever ended them', () => {
    const c = clock();
    const store = new GrantStore({ now: c.now, ttlMs: 100 });
    const ended: string[][] = [];
    store.onRemoved((removed) => ended.push(removed.map((g) => g.sessionId)));
    const a = store.grant('revoked', 'x', 1, ['a']);
    store.grant('disconnected', 'x', 1, ['a']);
    store.grant('replaced', 'y', 1, ['b']);
    store.revoke(a.id);
    store.endSession('disconnected');
    store.revokeNames('y', ['b']);
    store.grant('expired', 'x', 1, ['a']);
    c.advance(100);
    store.covers('expired', 'x', ['a']);
    store.grant('locked-1', 'x', 1, ['a']);
    store.grant('locked-2', 'x', 1, ['a']);
    store.revokeAll();
    assert.deepEqual(ended, [['revoked'], ['disconnected'], ['replaced'], ['expired'], ['locked-1', 'locked-2']]);
    store.dispose();
  });

  it('drop an expired grant by timer, without any read', async () => {
    const store = new GrantStore({ ttlMs: 20 });
    let changes = 0;
    store.onChange(() => (changes += 1));
    store.grant('s', 'x', 1, ['a']);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(changes, 2, 'granted, then expired');
    assert.deepEqual(store.list(), []);
  });
});
