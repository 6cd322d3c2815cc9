/**
 * The use-case layer (src/main/core/secret-changes.ts): it is the only
 * caller of the stores' mutating methods in src/, and the same change logs
 * the same activity line whoever makes it — a bridge request (MCP server or
 * CLI), the manager window, or the tray.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { KeyholdClient } from '../../src/bridge/index.js';
import type { ActivityEntry } from '../../src/main/core/activity-log.js';
import { startCore, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import { MemoryKeychain } from '../../src/main/core/memory-keychain.js';
import { PromptBoard } from '../../src/main/core/prompt-board.js';
import { TRAY } from '../../src/main/core/secret-changes.js';
import { createUiHandlers, dispatchUi } from '../../src/main/core/ui-handlers.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { findStoreMutations } from '../helpers/store-mutations.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SERVER = 'changes';

describe('only the use-case layer changes the stores', () => {
  it('no module in src/ but secret-changes.ts calls a mutating method of the vault, grants, rules, activity log or settings', () => {
    const outside = findStoreMutations(root).filter((m) => m.file !== 'src/main/core/secret-changes.ts');
    assert.deepEqual(outside, [], 'route these through SecretChanges (core.changes)');
  });

  it('the check sees a mutation through a core, a Pick<> and a destructured store', () => {
    const found = findStoreMutations(root, {
      'src/main/core/violation-sample.ts': [
        "import type { KeyholdCore } from './keyhold-core.js';",
        "import type { GrantStore } from './grants.js';",
        'export async function sample(core: KeyholdCore, grants: Pick<GrantStore, "revokeAll">): Promise<void> {',
        "  await core.vault.put('s', { A: 'v' });",
        '  grants.revokeAll();',
        '  const { activity } = core;',
        "  void activity.append({ server: 's', names: [], action: 'error' });",
        '}',
      ].join('\n'),
    });
    assert.deepEqual(
      found.filter((m) => m.file === 'src/main/core/violation-sample.ts').map((m) => m.call),
      ['Vault.put', 'GrantStore.revokeAll', 'ActivityLog.append'],
    );
  });
});

/** The part of an activity line that says what changed; the rest (time, pid, executable, request id, tool) says who and when. */
function change(entry: ActivityEntry | undefined): Pick<ActivityEntry, 'server' | 'names' | 'action' | 'detail' | 'count'> | undefined {
  if (entry === undefined) return undefined;
  const { server, names, action, detail, count } = entry;
  return { server, names, action, detail, count };
}

describe('the same change logs the same line, whoever makes it', () => {
  let core: KeyholdCore;
  let prompter: ScriptedPrompter;
  let client: KeyholdClient;
  let handlers: ReturnType<typeof createUiHandlers>;
  let cleanup: () => Promise<void>;
  const manager = (method: string, payload: object): Promise<unknown> => dispatchUi(handlers, { kind: 'manager' }, 'manager', method, payload);
  /** The manager's "Always allow", bound to the first process it offers (this test's live connection). */
  const alwaysAllow = async (name: string): Promise<unknown> => {
    const [candidate] = (await manager('ruleCandidates', { server: SERVER, name })) as Array<{ key: string }>;
    assert.ok(candidate !== undefined, 'the live connection is offered');
    return manager('addRule', { server: SERVER, name, candidate: candidate.key });
  };
  /** The lines logged while `work` ran, oldest first. */
  const logged = async (work: () => Promise<unknown>): Promise<ActivityEntry[]> => {
    const before = (await core.activity.read({ limit: 2000 })).length;
    await work();
    const all = await core.activity.read({ limit: 2000 });
    return all.slice(0, all.length - before).reverse();
  };

  before(async () => {
    const dir = await makeTempDir();
    cleanup = dir.cleanup;
    prompter = new ScriptedPrompter(() => ({ approval: 'allow' }));
    core = await startCore({ dataDir: dir.path, prompter, appVersion: 'test', keychain: new MemoryKeychain(), writeDiscoveryFile: false });
    handlers = createUiHandlers({
      core,
      board: new PromptBoard(),
      loginItem: { get: () => false, set: () => undefined },
      openExternal: async () => undefined,
      linkAllowlist: [],
    });
    client = new KeyholdClient({ server: { name: SERVER }, url: core.url, token: core.token });
  });
  beforeEach(async () => {
    await client.put({ KEY: 'v1' });
  });
  after(async () => {
    await client.close();
    await core.stop();
    await cleanup();
  });

  it('replace: a bridge put of a stored name and the manager Replace', async () => {
    const bridge = await logged(() => client.put({ KEY: 'v2' }));
    const byManager = await logged(() => manager('replaceSecret', { server: SERVER, name: 'KEY', value: 'v3' }));
    assert.deepEqual(change(bridge.at(-1)), { server: SERVER, names: ['KEY'], action: 'replaced', detail: undefined, count: undefined });
    assert.deepEqual(change(byManager.at(-1)), change(bridge.at(-1)));
    assert.equal(byManager.length, 1, 'the manager logs the change only');
  });

  it('delete: a bridge delete and the manager Delete, and neither logs a deletion of nothing', async () => {
    const bridge = await logged(() => client.delete(['KEY']));
    await client.put({ KEY: 'v1' });
    const byManager = await logged(() => manager('deleteSecret', { server: SERVER, name: 'KEY' }));
    assert.deepEqual(change(bridge.at(-1)), { server: SERVER, names: ['KEY'], action: 'deleted', detail: undefined, count: undefined });
    assert.deepEqual(change(byManager.at(-1)), change(bridge.at(-1)));
    const nothing = await logged(() => manager('deleteSecret', { server: SERVER, name: 'KEY' }));
    assert.deepEqual(nothing, [], 'the manager deleting a name that is not stored logs nothing');
    await assert.rejects(client.delete(['KEY']));
  });

  it('delete drops the always-allow rule and the last verified reader, from the bridge as from the manager', async () => {
    await client.get(['KEY']);
    assert.ok(core.changes.lastReader(SERVER, 'KEY') !== undefined, 'the verified reader is remembered');
    await alwaysAllow('KEY');
    await client.delete(['KEY']);
    assert.deepEqual(core.rules.list(), []);
    assert.equal(core.changes.lastReader(SERVER, 'KEY'), undefined, 'a value stored later is not what that process read');
    await client.put({ KEY: 'v1' });
    await alwaysAllow('KEY');
    await manager('deleteSecret', { server: SERVER, name: 'KEY' });
    assert.deepEqual(core.rules.list(), []);
  });

  it('revoke one grant and Lock: the tray and the manager', async () => {
    const grantOnce = async (): Promise<string> => {
      prompter.answer({ approval: 'allow_session' });
      await client.get(['KEY']);
      const grant = core.grants.list()[0];
      assert.ok(grant);
      return grant.id;
    };
    let id = await grantOnce();
    const byTray = await logged(async () => core.changes.revokeGrant(id, TRAY));
    id = await grantOnce();
    const byManager = await logged(() => manager('revokeGrant', { grantId: id }));
    assert.deepEqual(change(byTray[0]), { server: SERVER, names: ['KEY'], action: 'revoked', detail: undefined, count: undefined });
    assert.deepEqual(byManager, byTray.map((line) => ({ ...line, time: byManager[0]?.time })));

    await grantOnce();
    const lockByTray = await logged(async () => core.changes.revokeAll(TRAY));
    await grantOnce();
    const lockByManager = await logged(() => manager('revokeAll', {}));
    assert.equal(lockByTray.length, 1);
    assert.deepEqual(lockByManager.map(change), lockByTray.map(change));
  });

  it('invalidate, store, rules and reveal log one line each with their action', async () => {
    await client.get(['KEY']); // only a connection that read a value may report it rejected
    assert.deepEqual((await logged(() => client.invalidate(['KEY'], 'HTTP 401'))).map((e) => e.action), ['invalidated']);
    assert.deepEqual((await logged(() => client.put({ OTHER: 'x' }))).map((e) => e.action), ['allowed', 'stored']);
    const rule = await logged(() => alwaysAllow('OTHER'));
    assert.deepEqual(rule.map(change), [{ server: SERVER, names: ['OTHER'], action: 'rule_added', detail: undefined, count: undefined }]);
    const ruleId = core.rules.list()[0]?.id;
    assert.deepEqual((await logged(() => manager('removeRule', { ruleId }))).map((e) => e.action), ['rule_removed']);
    assert.deepEqual((await logged(() => manager('removeRule', { ruleId }))).map((e) => e.action), [], 'removing a rule that is gone logs nothing');
    assert.deepEqual((await logged(() => manager('revealSecret', { server: SERVER, name: 'OTHER' }))).map((e) => e.action), ['revealed']);
  });
});
