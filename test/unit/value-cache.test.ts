/**
 * The grant-scoped value cache: values are kept only while a session grant
 * covers them, and every way a grant can end drops them (SECURITY.md,
 * "stale_or_unauthorised_cached_value").
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';

import { GrantStore } from '../../src/main/core/grants.js';
import { GrantValueCache } from '../../src/main/core/value-cache.js';

function setup(options: { ttlMs?: number } = {}) {
  let t = 1_000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const grants = new GrantStore({ now: clock.now, ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }) });
  const vaultWrites = new EventEmitter();
  const cache = new GrantValueCache({
    grants,
    onVaultWrite: (listener) => {
      vaultWrites.on('write', listener);
      return () => vaultWrites.off('write', listener);
    },
  });
  const write = (server: string, names: string[]) => vaultWrites.emit('write', server, names);
  /** A granted session with a cached value, as after an "Allow for session" read. */
  const granted = (sessionId: string, server: string, values: Record<string, string>) => {
    const grant = grants.grant(sessionId, server, 10, Object.keys(values));
    cache.keep(sessionId, server, values, cache.epoch);
    return grant;
  };
  return { grants, cache, clock, write, granted };
}

describe('grant-scoped value cache', () => {
  it('keeps only values a live grant of that session covers, and serves all names or none', () => {
    const { grants, cache, granted } = setup();
    granted('s1', 'github', { token: 'v1', user: 'u1' });
    assert.deepEqual(cache.get('s1', ['token']), { token: 'v1' });
    assert.deepEqual(cache.get('s1', ['token', 'user']), { token: 'v1', user: 'u1' });
    assert.equal(cache.get('s1', ['token', 'other']), undefined, 'a name not cached → no partial answer');
    assert.equal(cache.get('s2', ['token']), undefined, 'another connection of the same server');
    cache.keep('s3', 'github', { token: 'v1' }, cache.epoch);
    assert.equal(cache.get('s3', ['token']), undefined, '"Allow" (once): no grant, nothing kept');
    grants.grant('s4', 'github', 11, ['token']);
    cache.keep('s4', 'github', { token: 'v1', user: 'u1' }, cache.epoch);
    assert.equal(cache.get('s4', ['token']), undefined, 'values beyond the grant are not kept at all');
  });

  it('stale_or_unauthorised_cached_value: revoke drops the grant’s values and wipes their buffers', () => {
    const { grants, cache, granted } = setup();
    const grant = granted('s1', 'github', { token: 'v1' });
    granted('s2', 'github', { token: 'v1' });
    const held = heldBuffers(cache);
    grants.revoke(grant.id);
    assert.equal(cache.get('s1', ['token']), undefined);
    assert.deepEqual(cache.get('s2', ['token']), { token: 'v1' }, 'other sessions keep theirs');
    assert.ok(held.some((buffer) => buffer.every((byte) => byte === 0)), 'the dropped value was zeroed');
    assert.equal(cache.size, 1);
  });

  it('stale_or_unauthorised_cached_value: Lock (revoke all) drops everything', () => {
    const { grants, cache, granted } = setup();
    granted('s1', 'github', { token: 'v1' });
    granted('s2', 'slack', { bot: 'v2' });
    grants.revokeAll();
    assert.equal(cache.size, 0);
  });

  it('stale_or_unauthorised_cached_value: disconnect (endSession) drops that session’s values', () => {
    const { grants, cache, granted } = setup();
    granted('s1', 'github', { token: 'v1' });
    granted('s2', 'github', { token: 'v1' });
    grants.endSession('s1');
    assert.equal(cache.get('s1', ['token']), undefined);
    assert.equal(cache.size, 1);
  });

  it('stale_or_unauthorised_cached_value: expiry drops the values, on the next covers check and by the expiry timer', async () => {
    const a = setup({ ttlMs: 1_000 });
    a.granted('s1', 'github', { token: 'v1' });
    a.clock.advance(1_000);
    assert.equal(a.grants.covers('s1', 'github', ['token']), false);
    assert.equal(a.cache.size, 0, 'dropped when covers found the grant expired');

    let now = Date.now();
    const realClock = new GrantStore({ ttlMs: 30, now: () => now });
    const cache = new GrantValueCache({ grants: realClock, onVaultWrite: () => () => undefined });
    realClock.grant('s1', 'github', 10, ['token']);
    cache.keep('s1', 'github', { token: 'v1' }, cache.epoch);
    assert.equal(cache.size, 1);
    now += 30;
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(cache.size, 0, 'the expiry timer dropped it without any read');
    realClock.dispose();
  });

  it('stale_or_unauthorised_cached_value: replace, delete or invalidate of a name (revokeNames) drops it', () => {
    const { grants, cache, granted } = setup();
    granted('s1', 'github', { token: 'v1' });
    granted('s2', 'github', { user: 'u1' });
    grants.revokeNames('github', ['token']);
    assert.equal(cache.get('s1', ['token']), undefined);
    assert.deepEqual(cache.get('s2', ['user']), { user: 'u1' });
  });

  it('stale_or_unauthorised_cached_value: any vault write of a name drops it, whoever made it', () => {
    const { cache, granted, write } = setup();
    granted('s1', 'github', { token: 'v1', user: 'u1' });
    granted('s2', 'slack', { token: 'v2' });
    write('github', ['token']);
    assert.equal(cache.get('s1', ['token']), undefined);
    assert.deepEqual(cache.get('s1', ['user']), { user: 'u1' });
    assert.deepEqual(cache.get('s2', ['token']), { token: 'v2' }, 'same name, other server: untouched');
  });

  it('stale_or_unauthorised_cached_value: a read that began before a drop is not kept (epoch)', () => {
    const { grants, cache, write } = setup();
    grants.grant('s1', 'github', 10, ['token']);
    const epoch = cache.epoch;
    write('github', ['token']); // the value was replaced while the old one was on its way from the keychain
    cache.keep('s1', 'github', { token: 'old' }, epoch);
    assert.equal(cache.get('s1', ['token']), undefined);
    cache.keep('s1', 'github', { token: 'new' }, cache.epoch);
    assert.deepEqual(cache.get('s1', ['token']), { token: 'new' });
  });

  it('close() drops everything and stops listening', () => {
    const { grants, cache, granted } = setup();
    granted('s1', 'github', { token: 'v1' });
    cache.close();
    assert.equal(cache.size, 0);
    grants.revokeAll();
  });
});

/** The cache's buffers, reached through a read-only view for the zeroing check. */
function heldBuffers(cache: GrantValueCache): Buffer[] {
  const sessions = (cache as unknown as { sessions: Map<string, { values: Map<string, Buffer> }> }).sessions;
  return [...sessions.values()].flatMap((session) => [...session.values.values()]);
}
