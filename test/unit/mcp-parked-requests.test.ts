/**
 * Keyhold requests that outlive their MCP call (src/bridge/mcp/parked-requests.ts),
 * with the real KeyholdClient against FakeKeyholdApp: the next call attaches
 * to the open request; an answer (values or Deny) nobody collected waits for
 * the next call; a timeout or Cancel is nobody's answer; closeAll closes windows.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { KeyholdClient } from '../../src/bridge/index.js';
import { ParkedRequests, parkedRequestsFor } from '../../src/bridge/mcp/parked-requests.js';
import { FakeKeyholdApp } from '../../src/bridge/testing/index.js';
import { isKeyholdError } from '../../src/shared/keyhold-error.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function setup(): Promise<{ app: FakeKeyholdApp; registry: ParkedRequests; client: KeyholdClient }> {
  const app = await FakeKeyholdApp.start({ secrets: { demo: { A: 'value-a', B: 'value-b' } } });
  const client = new KeyholdClient({ server: { name: 'demo' }, ...app.connection });
  cleanups.push(() => app.stop(), () => client.close());
  return { app, client, registry: new ParkedRequests(client) };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

describe('parked requests', () => {
  it('the next call for the same names (in any order) attaches to the open request; an Allow nobody waited for goes to it once', async () => {
    const { app, registry } = await setup();
    app.decide('hold');
    const parked = registry.start(['A', 'B'], {}, 5_000);
    const event = await parked.firstWindow();
    assert.equal(event?.kind, 'approval');
    assert.equal(registry.attachable(['B', 'A']), parked);
    assert.equal(registry.attachable(['A']), undefined, 'other names start their own request');
    app.prompts[0]?.answer('allow');
    await settle();
    assert.equal(registry.attachable(['A', 'B']), parked, 'the answer waits for the next call');
    assert.deepEqual(await parked.result(), { A: 'value-a', B: 'value-b' });
    registry.collected(parked);
    assert.equal(registry.attachable(['A', 'B']), undefined, 'collected once');
  });

  it('a Deny nobody waited for also goes to the next call', async () => {
    const { app, registry } = await setup();
    app.decide('deny');
    const parked = registry.start(['A'], {}, 5_000);
    await assert.rejects(parked.result(), (e) => isKeyholdError(e, 'denied'));
    assert.equal(registry.attachable(['A']), parked);
  });

  it('a timeout is nobody\'s answer: the next call starts afresh', async () => {
    const { app, registry } = await setup();
    app.decide('hold');
    const parked = registry.start(['A'], { timeoutMs: 200 }, 200);
    await assert.rejects(parked.result(), (e) => isKeyholdError(e, 'timeout'));
    await settle();
    assert.equal(registry.attachable(['A']), undefined);
    // A modern retry whose state names it still learns how it ended (not "the request is gone").
    assert.equal(registry.endedWithoutAnswer(parked.id), parked);
    registry.collected(parked);
    assert.equal(registry.endedWithoutAnswer(parked.id), undefined, 'collected once');
  });

  it('closeAll ends every open request and closes its window', async () => {
    const { app, registry } = await setup();
    app.decide('hold');
    const parked = registry.start(['A'], {}, 5_000);
    await parked.firstWindow();
    registry.closeAll();
    await assert.rejects(parked.result(), (e) => isKeyholdError(e, 'cancelled'));
    await settle();
    assert.equal(app.prompts[0]?.outcome, 'aborted');
    assert.equal(registry.size, 0);
  });

  it('helpers that share one bridge client share its parked requests', async () => {
    const { client } = await setup();
    assert.equal(parkedRequestsFor(client), parkedRequestsFor(client));
  });
});
