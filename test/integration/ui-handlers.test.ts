/**
 * What windows may ask of main, against the real core and keychain: each
 * window is held to its own kind and its own prompt, payloads are parsed
 * with the contract, and manager actions change the vault, grants and rules.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { KeyholdClient, isKeyholdError } from '../../src/bridge/index.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { startCore, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import { PromptBoard } from '../../src/main/core/prompt-board.js';
import { createUiHandlers, dispatchUi, isAllowedLink, UiRequestRejected, type WindowContext } from '../../src/main/core/ui-handlers.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const keychain = createSystemKeychain();
const server = `ui-${process.pid}${Date.now().toString(36)}`;

describe('ui handlers', () => {
  let core: KeyholdCore;
  let board: PromptBoard;
  let client: KeyholdClient;
  let handlers: ReturnType<typeof createUiHandlers>;
  const opened: string[] = [];
  let cleanup: () => Promise<void>;
  let login = false;
  const manager: WindowContext = { kind: 'manager' };

  before(async () => {
    const dir = await makeTempDir();
    cleanup = dir.cleanup;
    board = new PromptBoard();
    core = await startCore({ dataDir: dir.path, prompter: board, appVersion: 'test', writeDiscoveryFile: false });
    handlers = createUiHandlers({
      core,
      board,
      loginItem: { get: () => login, set: (on) => void (login = on) },
      openExternal: async (url) => void opened.push(url),
      linkAllowlist: ['github.com'],
    });
    client = new KeyholdClient({ server: { name: server }, url: core.url, token: core.token });
  });
  after(async () => {
    await client.close();
    await core.stop();
    for (const name of ['token', 'other']) await keychain.delete(keychainService(server), name);
    await cleanup();
  });

  const nextPromptId = async (): Promise<string> => {
    for (let i = 0; i < 500; i += 1) {
      const prompt = board.list()[0];
      if (prompt !== undefined) return prompt.id;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no prompt');
  };

  it('entry: load shows the prompt; a bad value is refused with per-field errors; a good one is saved', async () => {
    const pending = client.request([{ name: 'token', label: 'Token', type: 'text', required: true, pattern: 'tok_[a-z]+' }], { guide: '# Guide' });
    const promptId = await nextPromptId();
    const context: WindowContext = { kind: 'entry', promptId };
    const view = (await dispatchUi(handlers, context, 'entry', 'load', {})) as { fields: unknown[]; guide: string; verificationCode: string };
    assert.equal(view.guide, '# Guide');
    assert.equal(view.verificationCode, board.get(promptId)?.verificationCode);
    const bad = (await dispatchUi(handlers, context, 'entry', 'submit', { values: { token: 'nope' } })) as { ok: boolean; errors: Record<string, string> };
    assert.equal(bad.ok, false);
    assert.ok(bad.errors['token']);
    assert.deepEqual(await dispatchUi(handlers, context, 'entry', 'submit', { values: { token: 'tok_good' } }), { ok: true });
    assert.deepEqual(await pending, { token: 'tok_good' });
  });

  it('ipc_cross_window_answer: a window may not call another kind, nor answer a prompt it was not opened for', async () => {
    const pending = client.get(['token']);
    const promptId = await nextPromptId();
    await assert.rejects(dispatchUi(handlers, manager, 'approval', 'decide', { decision: 'allow' }), UiRequestRejected);
    await assert.rejects(dispatchUi(handlers, { kind: 'approval', promptId: 'forged' }, 'approval', 'decide', { decision: 'allow' }), /no longer open/);
    await assert.rejects(dispatchUi(handlers, { kind: 'entry', promptId }, 'entry', 'submit', { values: {} }), /no longer open/, 'an entry window cannot settle an approval');
    assert.equal(board.get(promptId)?.kind, 'approval', 'still open');
    await assert.rejects(dispatchUi(handlers, { kind: 'approval', promptId }, 'approval', 'decide', { decision: 'always' }), /Bad payload/);
    await assert.rejects(dispatchUi(handlers, { kind: 'approval', promptId }, 'approval', 'steal', {}), /Unknown method/);
    await dispatchUi(handlers, { kind: 'approval', promptId }, 'approval', 'decide', { decision: 'allow_session' });
    assert.deepEqual(await pending, { token: 'tok_good' });
  });

  it('manager: state lists servers, secrets and grants; revoke ends the grant', async () => {
    const state = (await dispatchUi(handlers, manager, 'manager', 'load', {})) as { servers: Array<{ name: string }>; grants: Array<{ id: string }> };
    assert.ok(state.servers.some((s) => s.name === server));
    assert.equal(state.grants.length, 1);
    await dispatchUi(handlers, manager, 'manager', 'revokeGrant', { grantId: state.grants[0]?.id });
    assert.equal(core.grants.list().length, 0);
  });

  it('manager: reveal is explicit and logged; replace changes the keychain; always-allow skips the prompt', async () => {
    assert.deepEqual(await dispatchUi(handlers, manager, 'manager', 'revealSecret', { server, name: 'token' }), { value: 'tok_good' });
    await dispatchUi(handlers, manager, 'manager', 'replaceSecret', { server, name: 'token', value: 'tok_replaced' });
    assert.equal(await keychain.get(keychainService(server), 'token'), 'tok_replaced');
    const candidates = (await dispatchUi(handlers, manager, 'manager', 'ruleCandidates', { server, name: 'token' })) as Array<{ key: string; identity: { script?: string } }>;
    assert.equal(candidates[0]?.identity.script, fileURLToPath(import.meta.url), 'the live connection of this test process is offered, with its script');
    await assert.rejects(dispatchUi(handlers, manager, 'manager', 'addRule', { server, name: 'token', candidate: 'made-up-key' }), /no longer connected or known/);
    const rule = (await dispatchUi(handlers, manager, 'manager', 'addRule', { server, name: 'token', candidate: candidates[0]?.key })) as { id: string };
    assert.deepEqual(await client.get(['token']), { token: 'tok_replaced' });
    assert.equal(board.list().length, 0, 'no prompt with an always-allow rule');
    await dispatchUi(handlers, manager, 'manager', 'removeRule', { ruleId: rule.id });
    const actions = (await core.activity.read()).map((e) => e.action);
    for (const action of ['revealed', 'replaced', 'rule_added', 'allowed_by_rule', 'rule_removed', 'revoked']) assert.ok(actions.includes(action as never), action);
  });

  it('manager: delete removes the secret; the next read asks for entry', async () => {
    await dispatchUi(handlers, manager, 'manager', 'deleteSecret', { server, name: 'token' });
    assert.equal(await keychain.get(keychainService(server), 'token'), null);
    const pending = client.get(['token']);
    const promptId = await nextPromptId();
    assert.equal(board.get(promptId)?.kind, 'entry');
    await dispatchUi(handlers, { kind: 'entry', promptId }, 'entry', 'cancel', {});
    await assert.rejects(pending, (e) => isKeyholdError(e, 'cancelled'));
  });

  it('manager: settings change the grant TTL for new grants and the login item', async () => {
    const settings = await dispatchUi(handlers, manager, 'manager', 'updateSettings', { grantTtlMinutes: 30, startAtLogin: true });
    assert.deepEqual(settings, { grantTtlMinutes: 30, startAtLogin: true });
    assert.equal(core.grants.ttlMs, 30 * 60_000);
    await assert.rejects(dispatchUi(handlers, manager, 'manager', 'updateSettings', { grantTtlMinutes: 0 }), /Bad payload/);
  });

  it('the request link an MCP server gets in its pending event (128 random bits) finds the window', async () => {
    let linkId = '';
    const pending = client.get(['other'], { onPending: (event) => (linkId = event.link ?? '') });
    const promptId = await nextPromptId();
    assert.match(linkId, /^[A-Za-z0-9_-]{22}$/, '16 random bytes, base64url');
    assert.equal(board.findByLinkId(linkId)?.id, promptId);
    await dispatchUi(handlers, { kind: 'entry', promptId }, 'entry', 'cancel', {});
    await assert.rejects(pending, (e) => isKeyholdError(e, 'cancelled'));
  });

  it('unsafe_external_link: links open only when https and on the allowlist', async () => {
    assert.equal(isAllowedLink('https://github.com/settings/tokens', ['github.com']), true);
    assert.equal(isAllowedLink('https://docs.github.com/x', ['github.com']), true);
    assert.equal(isAllowedLink('http://github.com/', ['github.com']), false);
    assert.equal(isAllowedLink('https://github.com.evil.example/', ['github.com']), false);
    assert.equal(isAllowedLink('https://user:pw@github.com/', ['github.com']), false);
    assert.equal(isAllowedLink('javascript:alert(1)', ['github.com']), false);
  });
});
