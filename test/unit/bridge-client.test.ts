/**
 * KeyholdClient against a scripted fake app on a loopback WebSocket: what goes
 * on the wire (headers, hello first, ids, cancel), how every kind of reply is
 * mapped (values, pinned error codes, malformed frames), timeouts, aborts,
 * pending events, connection loss and redial. The real core is exercised in
 * test/integration/bridge-client.test.ts.
 */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, describe, it } from 'node:test';

import { WebSocketServer, type WebSocket } from 'ws';

import { KeyholdClient, isKeyholdError, type PendingEvent } from '../../src/bridge/index.js';
import { requestIdSchema } from '../../src/shared/bridge-protocol.js';

const TOKEN = 't'.repeat(43);
const SECRET = 'sk-live-NEVER-IN-AN-ERROR-42';

interface Received {
  readonly id: string;
  readonly type: string;
  readonly params: Record<string, unknown>;
}

type Handler = (request: Received, socket: WebSocket) => void;

/** A stand-in for the app: accepts TOKEN, answers hello, hands other requests to `handler`. */
class FakeApp {
  readonly received: Received[] = [];
  readonly upgrades: IncomingHttpHeaders[] = [];
  handler: Handler = () => undefined;
  status = 101;
  sockets = new Set<WebSocket>();

  private constructor(readonly wss: WebSocketServer) {
    wss.on('headers', () => undefined);
    wss.on('connection', (socket, request) => {
      this.upgrades.push(request.headers);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as Received;
        this.received.push(frame);
        if (frame.type === 'hello') {
          socket.send(JSON.stringify({ id: frame.id, ok: true, result: { sessionId: 's1', appVersion: 'fake', protocol: 1 } }));
        } else if (frame.type === 'cancel') {
          socket.send(JSON.stringify({ id: frame.id, ok: true, result: {} }));
        } else {
          this.handler(frame, socket);
        }
      });
    });
  }

  static async start(): Promise<FakeApp> {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      verifyClient: (info, done) => {
        if (info.req.headers.authorization !== `Bearer ${TOKEN}`) return done(false, 401, 'Unauthorized');
        done(true);
      },
    });
    await new Promise((resolve) => wss.once('listening', resolve));
    return new FakeApp(wss);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  types(): string[] {
    return this.received.map((frame) => frame.type);
  }

  dropAll(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  async stop(): Promise<void> {
    this.dropAll();
    await new Promise((resolve) => this.wss.close(resolve));
  }
}

function reply(socket: WebSocket, frame: unknown): void {
  socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
}

function until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (condition()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error('condition not met in time'));
      else setTimeout(check, 5);
    };
    check();
  });
}

describe('KeyholdClient (fake app)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  after(() => undefined);

  async function setup(options: { token?: string; requestTimeoutMs?: number; connectTimeoutMs?: number } = {}) {
    const app = await FakeApp.start();
    const client = new KeyholdClient({
      server: { name: 'weather', version: '2.0.0' },
      url: app.url,
      token: options.token ?? TOKEN,
      env: {},
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
      connectTimeoutMs: options.connectTimeoutMs ?? 1_000,
    });
    cleanups.push(() => app.stop(), () => client.close());
    return { app, client };
  }

  it('connects lazily with the bearer token and no Origin, says hello first, then sends the request', async () => {
    const { app, client } = await setup();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(app.upgrades.length, 0, 'no connection before the first call');
    app.handler = (request, socket) => reply(socket, { id: request.id, ok: true, result: { values: { API_KEY: 'v1' } } });

    const values = await client.get(['API_KEY'], { reason: 'forecast', tool: 'get_forecast' });
    assert.deepEqual(values, { API_KEY: 'v1' });

    const headers = app.upgrades[0];
    assert.equal(headers?.authorization, `Bearer ${TOKEN}`);
    assert.equal(headers?.origin, undefined, 'never sends an Origin header');
    assert.deepEqual(app.types(), ['hello', 'secrets.get']);
    const [hello, get] = app.received;
    assert.deepEqual(hello?.params, { protocol: 1, server: { name: 'weather', version: '2.0.0' }, process: { pid: process.pid } });
    assert.deepEqual(get?.params, { names: ['API_KEY'], reason: 'forecast', tool: 'get_forecast', timeoutMs: 300_000 });
    assert.ok(requestIdSchema.safeParse(get?.id).success);
    assert.notEqual(hello?.id, get?.id);
  });

  it('maps request, status and invalidate onto their frames', async () => {
    const { app, client } = await setup();
    app.handler = (request, socket) => {
      if (request.type === 'secrets.request') reply(socket, { id: request.id, ok: true, result: { values: { URL: 'https://x' } } });
      if (request.type === 'secrets.status') {
        reply(socket, { id: request.id, ok: true, result: { secrets: [{ name: 'A', exists: true, invalidated: false }] } });
      }
      if (request.type === 'secrets.invalidate') reply(socket, { id: request.id, ok: true, result: {} });
    };
    const field = { name: 'URL', label: 'Endpoint', type: 'url', required: true } as const;
    assert.deepEqual(await client.request([field], { guide: '# Where', timeoutMs: 60_000 }), { URL: 'https://x' });
    assert.deepEqual(await client.status(['A']), [{ name: 'A', exists: true, invalidated: false }]);
    await client.invalidate(['A'], 'the API said 401');
    assert.deepEqual(
      app.received.slice(1).map((r) => [r.type, r.params]),
      [
        ['secrets.request', { fields: [field], guide: '# Where', timeoutMs: 60_000 }],
        ['secrets.status', { names: ['A'] }],
        ['secrets.invalidate', { names: ['A'], reason: 'the API said 401' }],
      ],
    );
  });

  it('an ok:false reply rejects with KeyholdError carrying the app’s code and message', async () => {
    const { app, client } = await setup();
    app.handler = (request, socket) => reply(socket, { id: request.id, ok: false, error: { code: 'denied', message: 'The user denied access.' } });
    await assert.rejects(client.get(['A']), (error: unknown) => {
      assert.ok(isKeyholdError(error, 'denied'));
      assert.equal(error.message, 'The user denied access.');
      return true;
    });
  });

  it('invalid input is refused locally with invalid_request, nothing sent', async () => {
    const { app, client } = await setup();
    await assert.rejects(client.get(['bad name!']), (error: unknown) => isKeyholdError(error, 'invalid_request'));
    await assert.rejects(client.get([]), (error: unknown) => isKeyholdError(error, 'invalid_request'));
    await assert.rejects(client.get(['A'], { timeoutMs: 0 }), (error: unknown) => isKeyholdError(error, 'invalid_request'));
    const big = { name: 'A', label: 'A', type: 'text', required: false, default: 'x'.repeat(60_000) } as const;
    const fields = Array.from({ length: 8 }, (_, i) => ({ ...big, name: `F${i}` }));
    await assert.rejects(client.request(fields), (error: unknown) => {
      assert.ok(isKeyholdError(error, 'invalid_request'));
      assert.match(error.message, /larger than the app accepts/);
      return true;
    });
    assert.equal(app.received.length, 0);
  });

  it('bad options are refused when the client is made', () => {
    assert.throws(() => new KeyholdClient({ server: { name: 'has space' } }), (error: unknown) => isKeyholdError(error, 'invalid_request'));
    assert.throws(
      () => new KeyholdClient({ server: { name: 'ok' }, requestTimeoutMs: 10_000_000 }),
      (error: unknown) => isKeyholdError(error, 'invalid_request'),
    );
  });

  describe('malformed frames from the app reject that request with unavailable, and the client stays usable', () => {
    const bad: Array<[string, (id: string) => unknown]> = [
      ['a result of the wrong shape', (id) => ({ id, ok: true, result: { values: { A: 7 } } })],
      ['an extra field next to the result', (id) => ({ id, ok: true, result: { values: { A: SECRET } }, leak: SECRET })],
      ['an unknown error code', (id) => ({ id, ok: false, error: { code: 'kaboom', message: SECRET } })],
    ];
    for (const [name, frame] of bad) {
      it(name, async () => {
        const { app, client } = await setup();
        let calls = 0;
        app.handler = (request, socket) => {
          calls++;
          if (calls === 1) reply(socket, frame(request.id));
          else reply(socket, { id: request.id, ok: true, result: { values: { A: 'fine' } } });
        };
        await assert.rejects(client.get(['A']), (error: unknown) => {
          assert.ok(isKeyholdError(error, 'unavailable'));
          assert.match(error.message, /Protocol error/);
          assert.ok(!error.message.includes(SECRET), 'no secret value in the message');
          return true;
        });
        assert.deepEqual(await client.get(['A']), { A: 'fine' });
      });
    }

    it('frames that are not JSON, or have no usable id, are ignored: the request times out instead of crashing', async () => {
      const { app, client } = await setup({ requestTimeoutMs: 100 });
      app.handler = (request, socket) => {
        reply(socket, `{"id":"${request.id}","ok":true,"result":{"values":{"A":"${SECRET}"`);
        reply(socket, { id: null, ok: true, result: {} });
        reply(socket, [1, 2, 3]);
        socket.send(Buffer.from([1, 2, 3]), { binary: true });
      };
      await assert.rejects(client.get(['A']), (error: unknown) => {
        assert.ok(isKeyholdError(error, 'timeout'));
        assert.ok(!error.message.includes(SECRET));
        return true;
      });
    });
  });

  it('the app going quiet → timeout after timeoutMs + grace, and a cancel for that request', async () => {
    const { app, client } = await setup({ requestTimeoutMs: 50 });
    const started = Date.now();
    await assert.rejects(client.get(['A']), (error: unknown) => isKeyholdError(error, 'timeout'));
    const waited = Date.now() - started;
    assert.ok(waited >= 2_000 && waited < 4_000, `waited ${waited} ms (50 + 2000 grace)`);
    await until(() => app.types().includes('cancel'));
    const get = app.received.find((r) => r.type === 'secrets.get');
    const cancel = app.received.find((r) => r.type === 'cancel');
    assert.deepEqual(cancel?.params, { id: get?.id });
  });

  it('abandoned_request_window: an aborted signal sends cancel { id } and rejects with cancelled; a late reply is ignored', async () => {
    const { app, client } = await setup();
    let held: { id: string; socket: WebSocket } | undefined;
    app.handler = (request, socket) => {
      held = { id: request.id, socket };
    };
    const controller = new AbortController();
    const pending = client.get(['A'], { signal: controller.signal });
    await until(() => held !== undefined);
    controller.abort(new Error(SECRET));
    await assert.rejects(pending, (error: unknown) => {
      assert.ok(isKeyholdError(error, 'cancelled'));
      assert.ok(!error.message.includes(SECRET));
      return true;
    });
    await until(() => app.types().includes('cancel'));
    assert.deepEqual(app.received.find((r) => r.type === 'cancel')?.params, { id: held?.id });
    assert.ok(held !== undefined);
    reply(held.socket, { id: held.id, ok: true, result: { values: { A: 'late' } } });
    app.handler = (request, socket) => reply(socket, { id: request.id, ok: true, result: { secrets: [] } });
    assert.deepEqual(await client.status(), []);
  });

  it('an already-aborted signal rejects at once and sends nothing', async () => {
    const { app, client } = await setup();
    await assert.rejects(client.get(['A'], { signal: AbortSignal.abort() }), (error: unknown) => isKeyholdError(error, 'cancelled'));
    assert.equal(app.received.length, 0);
  });

  it('cancel(id) sends cancel for that id and resolves', async () => {
    const { app, client } = await setup();
    await client.cancel('abc');
    assert.deepEqual(app.received.at(-1), { id: app.received.at(-1)?.id, type: 'cancel', params: { id: 'abc' } });
  });

  it('pending events reach onPending listeners and the per-request onPending; a throwing listener harms nothing', async () => {
    const { app, client } = await setup();
    app.handler = (request, socket) => {
      reply(socket, { event: 'pending', data: { id: request.id, kind: 'approval', verificationCode: 'ABCD-2345', expiresAt: 1 } });
      setTimeout(() => reply(socket, { id: request.id, ok: true, result: { values: { A: 'v' } } }), 10);
    };
    const global: PendingEvent[] = [];
    const perRequest: PendingEvent[] = [];
    client.onPending(() => {
      throw new Error('listener bug');
    });
    const unsubscribe = client.onPending((event) => global.push(event));
    assert.deepEqual(await client.get(['A'], { onPending: (event) => perRequest.push(event) }), { A: 'v' });
    assert.equal(perRequest.length, 1);
    assert.equal(perRequest[0]?.verificationCode, 'ABCD-2345');
    assert.equal(perRequest[0]?.id, app.received.at(-1)?.id);
    assert.deepEqual(global, perRequest);
    unsubscribe();
    await client.get(['A']);
    assert.equal(global.length, 1, 'unsubscribed listeners hear nothing more');
  });

  it('a 401 at upgrade → unauthorized saying the token is stale, without retrying', async () => {
    const { app, client } = await setup({ token: 'w'.repeat(43) });
    await assert.rejects(client.status(), (error: unknown) => {
      assert.ok(isKeyholdError(error, 'unauthorized'));
      assert.match(error.message, /token/);
      assert.match(error.message, /new one on every start/);
      assert.ok(!error.message.includes('w'.repeat(43)), 'never echoes the token');
      return true;
    });
    assert.equal(app.upgrades.length, 0);
  });

  it('connection loss → in-flight requests reject unavailable ("did it quit?"), then the client redials', async () => {
    const { app, client } = await setup();
    app.handler = () => undefined;
    const pending = client.get(['A']);
    await until(() => app.types().includes('secrets.get'));
    app.dropAll();
    await assert.rejects(pending, (error: unknown) => {
      assert.ok(isKeyholdError(error, 'unavailable'));
      assert.match(error.message, /closed the connection \(did it quit\?\)/);
      return true;
    });
    await until(() => app.upgrades.length === 2, 3_000);
    app.handler = (request, socket) => reply(socket, { id: request.id, ok: true, result: { secrets: [] } });
    assert.deepEqual(await client.status(), []);
    assert.equal(app.upgrades.length, 2, 'reused the background redial');
  });

  it('nothing listening at the URL → unavailable "not running" after connectTimeoutMs', async () => {
    const { app, client } = await setup({ connectTimeoutMs: 300 });
    await app.stop();
    const started = Date.now();
    await assert.rejects(client.status(), (error: unknown) => {
      assert.ok(isKeyholdError(error, 'unavailable'));
      assert.match(error.message, /^The Keyhold app is not running: nothing answers at ws:\/\/127\.0\.0\.1:\d+/);
      assert.match(error.message, /npx keyhold serve/);
      return true;
    });
    assert.ok(Date.now() - started >= 250);
  });

  it('close() rejects in-flight requests with cancelled, and later calls fail', async () => {
    const { app, client } = await setup();
    app.handler = () => undefined;
    const pending = client.get(['A']);
    await until(() => app.types().includes('secrets.get'));
    const rejected = assert.rejects(pending, (error: unknown) => isKeyholdError(error, 'cancelled'));
    await client.close();
    await rejected;
    await assert.rejects(client.status(), (error: unknown) => isKeyholdError(error, 'unavailable'));
    await until(() => app.sockets.size === 0);
  });
});
