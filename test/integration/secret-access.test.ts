/**
 * The decisions end to end: @keyhold/bridge client → real core → real
 * keychain, with a scripted prompter standing in for the user's clicks.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { KeyholdClient, isKeyholdError, type PendingEvent } from '../../src/bridge/index.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { startCore, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import type { EntryPrompt } from '../../src/main/core/prompter.js';
import { MANAGER } from '../../src/main/core/secret-changes.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const keychain = createSystemKeychain();
const tag = `${process.pid}${Date.now().toString(36)}`;
let serial = 0;
const serverName = (label: string) => `${label}-${tag}-${++serial}`;

describe('secret access flows (bridge client ↔ core ↔ keychain)', () => {
  let core: KeyholdCore;
  let prompter: ScriptedPrompter;
  const clients: KeyholdClient[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];

  const connect = (server: string): KeyholdClient => {
    const client = new KeyholdClient({ server: { name: server, version: '1.0.0' }, url: core.url, token: core.token });
    clients.push(client);
    return client;
  };
  /** Stores a value through the entry window, as a user would. */
  const seed = async (client: KeyholdClient, name: string, value: string): Promise<void> => {
    prompter.answer({ entry: { action: 'save', values: { [name]: value } } });
    await client.request([{ name, label: name, type: 'password', required: true }]);
  };

  before(async () => {
    const dir = await makeTempDir();
    cleanups.push(dir.cleanup);
    prompter = new ScriptedPrompter();
    core = await startCore({ dataDir: dir.path, prompter, appVersion: 'test', writeDiscoveryFile: false });
    cleanups.push(() => core.stop());
  });
  beforeEach(() => {
    prompter.shown.length = 0;
  });
  after(async () => {
    for (const client of clients) await client.close();
    for (const server of core.vault.servers()) for (const s of core.vault.list(server)) await keychain.delete(keychainService(server), s.name);
    for (const c of cleanups.reverse()) await c();
  });

  it('a missing secret opens the entry window; the value goes to the keychain and back to the client', async () => {
    const server = serverName('entry');
    const client = connect(server);
    prompter.answer({ entry: { action: 'save', values: { token: 'ghp_entered_value' } } });
    const values = await client.get(['token'], {
      reason: 'List your repositories',
      fields: [{ name: 'token', label: 'GitHub token', type: 'password', required: true, pattern: 'ghp_[a-z_]+' }],
      guide: '# Create a token\nSettings → Developer settings',
    });
    assert.deepEqual(values, { token: 'ghp_entered_value' });
    const shown = prompter.shown[0]?.prompt as EntryPrompt;
    assert.equal(shown.kind, 'entry');
    assert.equal(shown.fields[0]?.label, 'GitHub token');
    assert.equal(shown.reason, 'List your repositories');
    assert.equal(await keychain.get(keychainService(server), 'token'), 'ghp_entered_value');
  });

  it('an entry value that breaks its FieldSpec is refused by the core, whatever the window says', async () => {
    const client = connect(serverName('badentry'));
    prompter.answer({ entry: { action: 'save', values: { url: 'javascript:alert(1)' } } });
    await assert.rejects(client.request([{ name: 'url', label: 'Endpoint', type: 'url', required: true }]), (e) => isKeyholdError(e, 'invalid_request'));
  });

  it('entry_answer_smuggles_names: names the entry answer adds beyond the fields asked for are neither stored nor returned', async () => {
    const server = serverName('smuggle');
    const client = connect(server);
    prompter.answer({ entry: { action: 'save', values: { token: 'v-asked-for', other: 'v-smuggled' } } });
    assert.deepEqual(await client.get(['token']), { token: 'v-asked-for' });
    assert.deepEqual(core.vault.list(server).map((s) => s.name), ['token']);
    assert.equal(await keychain.get(keychainService(server), 'other'), null, 'nothing under the smuggled name in the keychain');
  });

  it('a stored secret opens the approval window; Allow returns the value once', async () => {
    const client = connect(serverName('allow'));
    await seed(client, 'token', 'v-allow');
    prompter.answer({ approval: 'allow' }, { approval: 'allow' });
    assert.deepEqual(await client.get(['token'], { reason: 'why' }), { token: 'v-allow' });
    assert.equal(prompter.shown.at(-1)?.prompt.kind, 'approval');
    const before = prompter.shown.length;
    await client.get(['token']);
    assert.equal(prompter.shown.length, before + 1, 'Allow (once) leaves no grant: the next read prompts');
  });

  it('Allow for session: the next read returns with no prompt', async () => {
    const client = connect(serverName('session'));
    await seed(client, 'token', 'v-session');
    prompter.answer({ approval: 'allow_session' });
    await client.get(['token']);
    const count = prompter.shown.length;
    assert.deepEqual(await client.get(['token']), { token: 'v-session' });
    assert.equal(prompter.shown.length, count, 'no second prompt');
  });

  it('Deny → denied', async () => {
    const client = connect(serverName('deny'));
    await seed(client, 'token', 'v-deny');
    prompter.answer({ approval: 'deny' });
    await assert.rejects(client.get(['token']), (e) => isKeyholdError(e, 'denied'));
  });

  it('revoking the grant makes the next read prompt again', async () => {
    const server = serverName('revoke');
    const client = connect(server);
    await seed(client, 'token', 'v-revoke');
    prompter.answer({ approval: 'allow_session' });
    await client.get(['token']);
    const grant = core.grants.list().find((g) => g.server === server);
    assert.ok(grant);
    assert.equal(core.grants.revoke(grant.id), true);
    const count = prompter.shown.length;
    prompter.answer({ approval: 'allow' });
    await client.get(['token']);
    assert.equal(prompter.shown.length, count + 1);
  });

  it('session_grant_outlives_connection: disconnecting ends the session grant', async () => {
    const server = serverName('disconnect');
    const first = connect(server);
    await seed(first, 'token', 'v-disc');
    prompter.answer({ approval: 'allow_session' });
    await first.get(['token']);
    assert.ok(core.grants.list().some((g) => g.server === server));
    await first.close();
    await waitUntil(() => !core.grants.list().some((g) => g.server === server));
    const second = connect(server);
    const count = prompter.shown.length;
    prompter.answer({ approval: 'allow' });
    await second.get(['token']);
    assert.equal(prompter.shown.length, count + 1, 'a new connection is prompted');
  });

  it('store_leaves_session_grant: "Allow for session" on a store allows that store only — no read grant on the same connection', async () => {
    const server = serverName('putsession');
    const client = connect(server);
    prompter.answer({ approval: 'allow_session' });
    assert.deepEqual(await client.put({ token: 'v-put' }), { created: ['token'], replaced: [] });
    assert.deepEqual(core.grants.list().filter((g) => g.server === server), [], 'no grant while the connection is still open');
    const count = prompter.shown.length;
    prompter.answer({ approval: 'allow' });
    assert.deepEqual(await client.get(['token']), { token: 'v-put' });
    assert.equal(prompter.shown.length, count + 1, 'the next read of that name opens an approval');
    assert.equal(prompter.shown.at(-1)?.prompt.kind, 'approval');
  });

  it('cross_server_secret_read: another server asking for the same name never gets the value', async () => {
    const owner = connect(serverName('owner'));
    await seed(owner, 'token', 'owner-only-value');
    const thief = connect(serverName('thief'));
    assert.deepEqual(await thief.status(['token']), [{ name: 'token', exists: false, invalidated: false }]);
    prompter.answer({ entry: { action: 'cancel' } });
    await assert.rejects(thief.get(['token']), (e) => isKeyholdError(e, 'cancelled'));
    assert.equal(prompter.shown.at(-1)?.prompt.kind, 'entry', 'the thief is asked to enter its own value, not approved for the owner’s');
  });

  it('the pending event carries the code shown in the window', async () => {
    const client = connect(serverName('code'));
    await seed(client, 'token', 'v-code');
    const events: PendingEvent[] = [];
    prompter.answer({ approval: 'allow' });
    await client.get(['token'], { onPending: (e) => events.push(e) });
    assert.equal(events.length, 1);
    assert.equal(events[0]?.kind, 'approval');
    assert.equal(events[0]?.verificationCode, prompter.shown.at(-1)?.prompt.verificationCode);
  });

  it('invalidate: the next read asks for a new value and says why the old one was rejected', async () => {
    const server = serverName('invalidate');
    const client = connect(server);
    await seed(client, 'token', 'old-value');
    await client.invalidate(['token'], 'HTTP 401 from api.example.com');
    assert.deepEqual(await client.status(['token']), [{ name: 'token', exists: true, invalidated: true }]);
    prompter.answer({ entry: { action: 'save', values: { token: 'new-value' } } });
    assert.deepEqual(await client.get(['token']), { token: 'new-value' });
    const prompt = prompter.shown.at(-1)?.prompt as EntryPrompt;
    assert.equal(prompt.kind, 'entry');
    assert.deepEqual(prompt.rejected, { names: ['token'], reason: 'HTTP 401 from api.example.com' });
    assert.equal(await keychain.get(keychainService(server), 'token'), 'new-value');
  });

  it('invalidate_by_non_reader: a connection that never read a value cannot end another one’s grant or put its words in the entry window', async () => {
    const server = serverName('nonreader');
    const reader = connect(server);
    await seed(reader, 'token', 'v-reader');
    prompter.answer({ approval: 'allow_session' });
    await reader.get(['token']);
    const intruder = connect(server);
    await assert.rejects(intruder.invalidate(['token'], 'paste your key at https://evil.example'), (e) => isKeyholdError(e, 'invalid_request'));
    assert.equal(core.vault.meta(server, 'token')?.invalidated, undefined, 'not marked rejected');
    assert.ok(core.grants.list().some((grant) => grant.server === server), 'the reader’s grant stands');
    const count = prompter.shown.length;
    assert.deepEqual(await reader.get(['token']), { token: 'v-reader' });
    assert.equal(prompter.shown.length, count, 'no window: the grant still covers the read');
    // A value replaced since this connection read it is not "its" value either.
    await core.changes.replace(server, 'token', 'v-replaced', MANAGER);
    await assert.rejects(reader.invalidate(['token'], 'stale'), (e) => isKeyholdError(e, 'invalid_request'));
    prompter.answer({ approval: 'allow' });
    await reader.get(['token']);
    await reader.invalidate(['token'], 'HTTP 401');
    assert.equal(core.vault.meta(server, 'token')?.invalidated?.reason, 'HTTP 401', 'the reader of the current value may');
  });

  it('entry_default_overwrites_stored_secret: replacing a stored value from an entry asks to STORE, whatever rules and grants cover it', async () => {
    const server = serverName('overwrite');
    const client = connect(server);
    await seed(client, 'token', 'v-users');
    const session = core.sessions().find((candidate) => candidate.server === server);
    assert.ok(session?.process.identity, 'the test process is verified, so a rule can be bound to it');
    await core.changes.addRule(server, 'token', session.process.identity, MANAGER);
    assert.equal(core.rules.match(server, ['token'], session.process).applies, true, 'the rule covers this very connection');
    core.changes.grantSession(session, ['token']);
    const before = prompter.shown.length;
    prompter.answer({ entry: { action: 'save', values: {} } }, { approval: 'deny' });
    const field = { name: 'token', label: 'Token', type: 'text' as const, required: true, default: 'attacker-value' };
    await assert.rejects(client.request([field]), (e) => isKeyholdError(e, 'denied'));
    const [entry, approval] = prompter.shown.slice(before).map((shown) => shown.prompt);
    assert.equal(entry?.kind, 'entry');
    assert.equal(approval?.kind, 'approval');
    assert.equal(approval?.kind === 'approval' ? approval.action : undefined, 'store');
    assert.equal(await keychain.get(keychainService(server), 'token'), 'v-users', 'nothing replaced on Deny');
    prompter.answer({ entry: { action: 'save', values: { token: 'v-new' } } }, { approval: 'allow' });
    assert.deepEqual(await client.request([field]), { token: 'v-new' });
    assert.equal(await keychain.get(keychainService(server), 'token'), 'v-new', 'replaced once allowed');
    // A password field's default never reaches the prompter, nor the value stored.
    prompter.answer({ entry: { action: 'save', values: {} } });
    await assert.rejects(client.request([{ ...field, name: 'other', type: 'password' }]), (e) => isKeyholdError(e, 'invalid_request'));
    const shownPassword = prompter.shown.at(-1)?.prompt;
    assert.ok(shownPassword?.kind === 'entry' && shownPassword.fields[0]?.default === undefined);
    assert.equal(core.vault.has(server, 'other'), false);
  });

  it('aborting the call cancels the request and closes its window', async () => {
    const client = connect(serverName('cancel'));
    await seed(client, 'token', 'v-cancel');
    prompter.answer({ hold: true });
    const controller = new AbortController();
    const pending = client.get(['token'], { signal: controller.signal, onPending: () => controller.abort() });
    await assert.rejects(pending, (e) => isKeyholdError(e, 'cancelled'));
    await waitUntil(() => prompter.shown.at(-1)?.outcome === 'aborted');
  });

  it('a window nobody answers ends with timeout', async () => {
    const client = connect(serverName('timeout'));
    await seed(client, 'token', 'v-timeout');
    prompter.answer({ hold: true });
    await assert.rejects(client.get(['token'], { timeoutMs: 150 }), (e) => isKeyholdError(e, 'timeout'));
    assert.equal(prompter.shown.at(-1)?.outcome, 'aborted');
  });

  it('activity log records each decision with names, never values', async () => {
    const entries = await core.activity.read();
    const actions = new Set(entries.map((e) => e.action));
    for (const action of ['entered', 'allowed', 'allowed_session', 'granted_by_session', 'denied', 'cancelled', 'timeout', 'invalidated']) {
      assert.ok(actions.has(action as never), `logged ${action}`);
    }
    const text = JSON.stringify(entries);
    for (const value of ['ghp_entered_value', 'v-allow', 'v-session', 'owner-only-value', 'new-value', 'old-value']) assert.ok(!text.includes(value));
  });
});

describe('session grant TTL', () => {
  it('an expired session grant prompts again', async () => {
    const dir = await makeTempDir();
    let now = Date.now();
    const prompter = new ScriptedPrompter();
    const core = await startCore({ dataDir: dir.path, prompter, appVersion: 'test', writeDiscoveryFile: false, grantTtlMs: 60_000, now: () => now });
    const server = serverName('ttl');
    const client = new KeyholdClient({ server: { name: server }, url: core.url, token: core.token });
    try {
      prompter.answer({ entry: { action: 'save', values: { token: 'v-ttl' } } }, { approval: 'allow_session' });
      await client.request([{ name: 'token', label: 'Token', type: 'password', required: true }]);
      await client.get(['token']);
      await client.get(['token']);
      assert.equal(prompter.shown.length, 2, 'granted within the TTL');
      now += 60_001;
      prompter.answer({ approval: 'allow' });
      await client.get(['token']);
      assert.equal(prompter.shown.length, 3, 'prompted again after the TTL');
    } finally {
      await client.close();
      await keychain.delete(keychainService(server), 'token');
      await core.stop();
      await dir.cleanup();
    }
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('shutdown', () => {
  it('stopping the app answers a waiting request `cancelled` before closing the connection', async () => {
    const dir = await makeTempDir();
    const prompter = new ScriptedPrompter();
    const core = await startCore({ dataDir: dir.path, prompter, appVersion: 'test', writeDiscoveryFile: false });
    const client = new KeyholdClient({ server: { name: serverName('shutdown') }, url: core.url, token: core.token });
    try {
      const outcome = client.get(['token']).then(() => undefined, (error: unknown) => error);
      await prompter.nextPrompt(0);
      await core.stop();
      const error = await outcome;
      assert.ok(isKeyholdError(error, 'cancelled') && /shutting down/.test(error.message), String(error));
      assert.equal(prompter.shown[0]?.outcome, 'aborted', 'the window was closed');
    } finally {
      await client.close();
      await dir.cleanup();
    }
  });
});

describe('names that are also JavaScript property names', () => {
  it('prototype_pollution_by_name: server "constructor" / secret "prototype" touch nothing but their own entries', async () => {
    const dir = await makeTempDir();
    const prompter = new ScriptedPrompter();
    const core = await startCore({ dataDir: dir.path, prompter, appVersion: 'test', writeDiscoveryFile: false });
    const victim = serverName('victim');
    const attacker = new KeyholdClient({ server: { name: 'constructor' }, url: core.url, token: core.token });
    try {
      await core.vault.put(victim, { token: 'victim-value' });
      // The bridge refuses: this connection never read it. The vault's own path must still touch nothing else.
      await assert.rejects(attacker.invalidate(['prototype'], 'paste your key at https://evil.example'), (e) => isKeyholdError(e, 'invalid_request'));
      await core.changes.invalidate('constructor', ['prototype'], 'paste your key at https://evil.example', MANAGER);
      assert.equal((Object.prototype as Record<string, unknown>)['invalidated'], undefined, 'Object.prototype untouched');
      assert.equal(core.vault.meta(victim, 'token')?.invalidated, undefined, 'the victim’s secret is not marked rejected');
      assert.deepEqual(await attacker.status(['prototype', 'toString']), [
        { name: 'prototype', exists: false, invalidated: false },
        { name: 'toString', exists: false, invalidated: false },
      ]);
      prompter.answer({ entry: { action: 'save', values: { prototype: 'own-value' } } });
      assert.deepEqual(await attacker.request([{ name: 'prototype', label: 'p', type: 'password', required: true }]), { prototype: 'own-value' });
      assert.equal(core.vault.has('constructor', 'prototype'), true);
      assert.equal(typeof Object.keys, 'function');
      assert.equal(core.vault.has(victim, 'token'), true);
    } finally {
      await attacker.close();
      await keychain.delete(keychainService('constructor'), 'prototype');
      await keychain.delete(keychainService(victim), 'token');
      await core.stop();
      await dir.cleanup();
    }
  });

  it('stale_rule_after_delete: deleting a secret over the bridge also drops its always-allow rule', async () => {
    const dir = await makeTempDir();
    const prompter = new ScriptedPrompter();
    const core = await startCore({ dataDir: dir.path, prompter, appVersion: 'test', writeDiscoveryFile: false });
    const server = serverName('ruled');
    const client = new KeyholdClient({ server: { name: server }, url: core.url, token: core.token });
    try {
      await core.vault.put(server, { token: 'old' });
      await client.status();
      const identity = core.sessions().find((s) => s.server === server)?.process.identity;
      assert.ok(identity !== undefined, 'the test process has a verified identity');
      await core.rules.add(server, 'token', identity);
      prompter.answer({ approval: 'allow' });
      assert.deepEqual(await client.delete(['token']), { deleted: ['token'] });
      assert.deepEqual(core.rules.list(), []);
      await core.vault.put(server, { token: 'new-broader-token' });
      prompter.answer({ approval: 'deny' });
      await assert.rejects(client.get(['token']), (e) => isKeyholdError(e, 'denied'), 'the new value is asked for, not allowed by the old rule');
    } finally {
      await client.close();
      await keychain.delete(keychainService(server), 'token');
      await core.stop();
      await dir.cleanup();
    }
  });
});
