/**
 * `@keyhold/bridge/testing`: FakeKeyholdApp behaves like the app as far as an
 * MCP server can tell, through the real KeyholdClient over its WebSocket.
 */
import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';

import { KeyholdClient, isKeyholdError, type PendingEvent } from '../../src/bridge/index.js';
import { FakeKeyholdApp } from '../../src/bridge/testing/index.js';

describe('FakeKeyholdApp', () => {
  let app: FakeKeyholdApp;
  const clients: KeyholdClient[] = [];
  const connect = (name = 'weather'): KeyholdClient => {
    const client = new KeyholdClient({ server: { name }, ...app.connection });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    await app?.stop();
    app = await FakeKeyholdApp.start({ secrets: { weather: { API_KEY: 'stored-key' } } });
  });
  after(async () => {
    for (const client of clients) await client.close();
    await app.stop();
  });

  it('a missing name opens the entry window; its pending event carries the code the window shows', async () => {
    app.decide({ save: { TOKEN: 'entered-token' } });
    const events: PendingEvent[] = [];
    const values = await connect().get(['TOKEN'], {
      reason: 'Forecast',
      tool: 'forecast',
      guide: '# How',
      fields: [{ name: 'TOKEN', label: 'Token', type: 'password', required: true }],
      onPending: (event) => events.push(event),
    });
    assert.deepEqual(values, { TOKEN: 'entered-token' });
    const [prompt] = app.prompts;
    assert.ok(prompt);
    assert.equal(prompt.kind, 'entry');
    assert.equal(prompt.outcome, 'save');
    assert.deepEqual(prompt.names, ['TOKEN']);
    assert.equal(prompt.fields[0]?.label, 'Token');
    assert.equal(prompt.guide, '# How');
    assert.equal(prompt.reason, 'Forecast');
    assert.equal(prompt.tool, 'forecast');
    assert.equal(prompt.pid, process.pid);
    assert.match(prompt.verificationCode, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    assert.deepEqual(events.map((e) => [e.id, e.kind, e.verificationCode]), [[prompt.requestId, 'entry', prompt.verificationCode]]);
    assert.equal(app.store.get('weather', 'TOKEN'), 'entered-token');
  });

  it('a stored name opens the approval window: allow, deny', async () => {
    const client = connect();
    app.decide('allow', 'deny');
    assert.deepEqual(await client.get(['API_KEY']), { API_KEY: 'stored-key' });
    await assert.rejects(client.get(['API_KEY']), (e) => isKeyholdError(e, 'denied'));
    assert.deepEqual(app.prompts.map((p) => [p.kind, p.outcome]), [['approval', 'allow'], ['approval', 'deny']]);
  });

  it('allow_session covers later gets on that connection only, until it disconnects', async () => {
    const first = connect();
    app.decide('allow_session');
    await first.get(['API_KEY']);
    await first.get(['API_KEY']);
    assert.equal(app.prompts.length, 1);
    assert.equal(app.store.listGrants().length, 1);
    const second = connect();
    app.decide('allow');
    await second.get(['API_KEY']);
    assert.equal(app.prompts.length, 2, 'another connection is another session');
    await first.close();
    await waitFor(() => app.store.listGrants().length === 0);
  });

  it('invalidate: the next get opens the entry window, which says the value was rejected', async () => {
    const client = connect();
    app.decide('allow');
    await client.get(['API_KEY']); // only a connection that read a value may report it rejected
    await client.invalidate(['API_KEY'], 'HTTP 401');
    assert.deepEqual(await client.status(['API_KEY']), [{ name: 'API_KEY', exists: true, invalidated: true }]);
    app.decide({ save: { API_KEY: 'new-key' } });
    assert.deepEqual(await client.get(['API_KEY']), { API_KEY: 'new-key' });
    assert.deepEqual(app.prompts[1]?.rejected, { names: ['API_KEY'], reason: 'HTTP 401' });
    assert.deepEqual(app.calls.map((c) => [c.type, c.names, c.reason]), [
      ['secrets.get', ['API_KEY'], undefined],
      ['secrets.invalidate', ['API_KEY'], 'HTTP 401'],
      ['secrets.status', ['API_KEY'], undefined],
      ['secrets.get', ['API_KEY'], undefined],
    ]);
  });

  it('a held window waits for an answer given by hand', async () => {
    const client = connect();
    const values = client.get(['API_KEY']);
    const prompt = await app.nextPrompt();
    assert.equal(prompt.outcome, 'open');
    assert.equal(prompt.answer('allow'), true);
    assert.equal(prompt.answer('deny'), false, 'a window is answered once');
    assert.deepEqual(await values, { API_KEY: 'stored-key' });
  });

  it('a held window times out after the request timeout; the timeout decision does so at once', async () => {
    const client = connect();
    await assert.rejects(client.get(['API_KEY'], { timeoutMs: 200 }), (e) => isKeyholdError(e, 'timeout'));
    app.decide('timeout');
    await assert.rejects(client.get(['API_KEY']), (e) => isKeyholdError(e, 'timeout'));
    assert.deepEqual(app.prompts.map((p) => p.outcome), ['timeout', 'timeout']);
  });

  it('cancel: the user closing the window, and the MCP server aborting its call', async () => {
    const client = connect();
    app.decide('cancel');
    await assert.rejects(client.get(['NEW']), (e) => isKeyholdError(e, 'cancelled'));
    const abort = new AbortController();
    const call = client.get(['API_KEY'], { signal: abort.signal });
    await app.nextPrompt(1);
    abort.abort();
    await assert.rejects(call, (e) => isKeyholdError(e, 'cancelled'));
    await waitFor(() => app.prompts[1]?.outcome === 'aborted');
    assert.equal(app.prompts[0]?.outcome, 'cancel');
  });

  it('entry values are checked against their FieldSpec, like the app does', async () => {
    app.decide({ save: { URL: 'javascript:alert(1)' } });
    await assert.rejects(connect().request([{ name: 'URL', label: 'Endpoint', type: 'url', required: true }]), (e) => isKeyholdError(e, 'invalid_request'));
    assert.equal(app.store.has('weather', 'URL'), false);
  });

  it('a decision that does not fit the window fails the request with a message saying so', async () => {
    app.decide('allow');
    await assert.rejects(connect().get(['NEW']), (e) => isKeyholdError(e, 'unavailable') && /does not answer an entry window/.test(e.message));
  });

  it('one window at a time per server, in arrival order', async () => {
    const client = connect();
    const first = client.get(['API_KEY']);
    const second = client.get(['API_KEY']);
    const prompt = await app.nextPrompt();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(app.prompts.length, 1, 'the second waits for the first');
    prompt.answer('allow');
    (await app.nextPrompt(1)).answer('allow');
    await Promise.all([first, second]);
  });

  it('refuses a wrong token, like the app (HTTP 401)', async () => {
    const client = new KeyholdClient({ server: { name: 'weather' }, url: app.url, token: 'x'.repeat(43), connectTimeoutMs: 1_000 });
    clients.push(client);
    await assert.rejects(client.status(), (e) => isKeyholdError(e, 'unauthorized'));
  });

  it('env and connection point a client at the fake app', async () => {
    const client = new KeyholdClient({ server: { name: 'weather' }, env: app.env });
    clients.push(client);
    assert.deepEqual(await client.status(), [{ name: 'API_KEY', exists: true, invalidated: false }]);
    assert.deepEqual(app.sessions(), [{ server: 'weather', pid: process.pid }]);
  });

  it('stop() closes open windows: their requests end cancelled', async () => {
    const client = connect();
    const call = assert.rejects(client.get(['API_KEY']), (e) => isKeyholdError(e, 'cancelled'));
    await app.nextPrompt();
    await app.stop();
    await call;
    assert.equal(app.prompts[0]?.outcome, 'aborted');
  });
});

async function waitFor(condition: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
