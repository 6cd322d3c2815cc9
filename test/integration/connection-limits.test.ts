/**
 * Limits shared by all bridge connections (connection-limits.ts), against the
 * real core over real WebSockets:
 *   - pending_payload_across_connections: many connections, each under its
 *     own limits, together hold at most the pending-payload budget; past it a
 *     request gets `busy`, another client's small request still gets its
 *     window, and when they leave the accounting is back to zero and nothing
 *     keeps their payloads (a WeakRef to each request's params is cleared by GC);
 *   - connection_cap_held_by_one_process: one process cannot hold the server
 *     full — its hellos past the per-process cap get `busy` and are closed
 *     (1013), its silent sockets give way to a newcomer, and another process
 *     still connects and says hello.
 * No memory sizes or times are asserted (`npm run bench` measures RSS).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { DEFAULT_PENDING_PAYLOAD_BYTES, DEFAULT_PENDING_PAYLOAD_PER_CONNECTION_BYTES } from '../../src/main/core/connection-limits.js';
import { startCore, type CoreOptions, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import type { Prompter } from '../../src/main/core/prompter.js';
import { REPO_ROOT } from '../helpers/spawn-serve.js';
import { RawBridgeClient } from '../helpers/raw-bridge-client.js';
import { makeTempDir } from '../helpers/temp-dir.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Keeps every prompt open until the core closes it, and remembers nothing about it. */
const holdingPrompter: Prompter = {
  approve: (_prompt, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('closed')), { once: true })),
  enter: (_prompt, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('closed')), { once: true })),
};

/** An entry request of ~230 KB (three long defaults and a long guide): under the frame limit, far over one connection's own share. */
function largeRequest(tag: string): object {
  const field = (name: string) => ({ name, label: name, type: 'text', required: false, default: `${tag}-${name}-`.padEnd(60_000, 'x') });
  return { fields: [field('A'), field('B'), field('C')], guide: 'g'.repeat(30_000) };
}

/** A real core (no discovery file) whose prompts stay open; `options` adds to its defaults. */
async function startHoldingCore(options: Partial<CoreOptions>): Promise<{ core: KeyholdCore; cleanup: () => Promise<void> }> {
  const dir = await makeTempDir();
  const core = await startCore({ dataDir: dir.path, prompter: holdingPrompter, appVersion: 'test', writeDiscoveryFile: false, ...options });
  return {
    core,
    cleanup: async () => {
      await core.stop();
      await dir.cleanup();
    },
  };
}

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await sleep(20);
  }
}

describe('pending_payload_across_connections', () => {
  let core: KeyholdCore;
  let cleanup: () => Promise<void>;
  const kept: Array<WeakRef<object>> = [];

  before(async () => {
    ({ core, cleanup } = await startHoldingCore({ onRequest: (_session, _type, params) => kept.push(new WeakRef(params)) }));
  });
  after(() => cleanup());

  it('pending_payload_across_connections: the total is bounded, past it `busy`; a small request still gets its window; all released on disconnect', async () => {
    // 12 connections under different server names × 8 requests: within every per-connection and
    // per-server limit (16 in flight, 1 shown + 8 waiting), ~22 MB together: over the budget.
    const flooders = await Promise.all(Array.from({ length: 12 }, (_v, i) => RawBridgeClient.hello(core.url, core.token, `flood-${i}`)));
    const sent = flooders.map((client, i) => ({ client, ids: Array.from({ length: 8 }, (_v, j) => client.send('secrets.request', largeRequest(`${i}-${j}`))) }));
    // A status call after them answers only once the connection has taken (or refused) every request before it:
    // a refusal is sent before that answer, a request that waits for the user sends nothing yet.
    await Promise.all(flooders.map((client) => client.call('secrets.status', { names: ['A'] })));
    const refused = sent.flatMap(({ client, ids }) => client.frames.filter((frame) => frame.event === undefined && ids.includes(String(frame.id))));
    const waiting = sent.length * 8 - refused.length;
    assert.ok(refused.length > 0, 'requests past the budget are refused');
    for (const frame of refused) {
      assert.equal(frame.ok, false);
      assert.equal(frame.error?.code, 'busy');
      assert.match(frame.error?.message ?? '', /from all clients/);
    }
    const held = core.pendingPayloadBytes();
    assert.ok(held <= DEFAULT_PENDING_PAYLOAD_BYTES + flooders.length * DEFAULT_PENDING_PAYLOAD_PER_CONNECTION_BYTES, `${held} bytes held`);
    assert.ok(held > DEFAULT_PENDING_PAYLOAD_BYTES - 300_000, 'the budget is used up to its limit before refusing');
    assert.ok(waiting > 0);

    // Another client's ordinary request still gets its window: the flood cannot refuse everyone.
    const calm = await RawBridgeClient.hello(core.url, core.token, 'calm');
    const calmId = calm.send('secrets.request', { fields: [{ name: 'TOKEN', label: 'Token', type: 'password', required: true }], reason: 'first use' });
    assert.equal((await calm.pending(calmId)).event, 'pending');

    // A refusal changed nothing: the flooders' connections still work.
    const [firstFlooder] = flooders;
    assert.ok(firstFlooder !== undefined);
    assert.equal((await firstFlooder.call('secrets.status', { names: ['A'] })).ok, true);

    for (const client of [...flooders, calm]) client.close();
    await Promise.all([...flooders, calm].map((client) => client.closed()));
    await waitUntil(() => core.pendingPayloadBytes() === 0, `the pending payload returns to 0 (still ${core.pendingPayloadBytes()})`);

    // Nothing keeps the requests' payloads: broker queues, prompts, closures all let go.
    assert.ok(kept.length >= waiting);
    for (let attempt = 0; attempt < 5 && kept.some((ref) => ref.deref() !== undefined); attempt++) {
      await nextTurn();
      collectGarbage();
    }
    assert.equal(kept.filter((ref) => ref.deref() !== undefined).length, 0, 'no request params survive their connection');
  });
});

describe('connection_cap_held_by_one_process', () => {
  let core: KeyholdCore;
  let cleanup: () => Promise<void>;
  const clients: RawBridgeClient[] = [];

  before(async () => {
    ({ core, cleanup } = await startHoldingCore({ maxConnections: 12, processConnections: { perProcess: 4 } }));
  });
  after(async () => {
    for (const client of clients) client.close();
    await cleanup();
  });

  async function open(): Promise<RawBridgeClient> {
    const client = await RawBridgeClient.connect(core.url, core.token);
    clients.push(client);
    return client;
  }

  it('connection_cap_held_by_one_process: past its cap a process gets `busy` and is closed; its silent sockets give way; another process gets in', async () => {
    const hello = { protocol: 1, server: { name: 'holder' }, process: { pid: process.pid } };
    const admitted = await Promise.all(Array.from({ length: 4 }, open));
    for (const client of admitted) assert.equal((await client.call('hello', hello)).ok, true);

    const fifth = await open();
    const refused = await fifth.call('hello', hello);
    assert.equal(refused.ok, false);
    assert.equal(refused.error?.code, 'busy');
    assert.match(refused.error?.message ?? '', new RegExp(`Process ${process.pid} already holds 4`));
    assert.equal(await fifth.closed(), 1013, 'a refused hello closes the connection: it keeps no slot');
    assert.equal(core.sessions().length, 4);

    // The same process fills every other slot with sockets that never say hello…
    const silent = await Promise.all(Array.from({ length: 8 }, open));
    // …yet another process connects and is served: the oldest silent socket gave way.
    const other = await helloFromChildProcess(core.url, core.token);
    assert.deepEqual(other, { ok: true, server: 'newcomer' });
    const [oldestSilent] = silent;
    assert.ok(oldestSilent !== undefined);
    assert.equal(await oldestSilent.closed(), 1006, 'the oldest socket that never spoke was dropped');
    // The admitted connections were never touched.
    for (const client of admitted) assert.equal((await client.call('secrets.status', { names: ['X'] })).ok, true);

    // A slot freed by a disconnect is the process's again.
    const [leaving] = admitted;
    assert.ok(leaving !== undefined);
    leaving.close();
    await leaving.closed();
    await waitUntil(() => core.sessions().length === 3, 'the closed session ends');
    const again = await open();
    assert.equal((await again.call('hello', hello)).ok, true);
  });
});

/** Connects from a separate node process (its own verified pid) and says hello; resolves with what it got. */
async function helloFromChildProcess(url: string, token: string): Promise<unknown> {
  const script = `
    import WebSocket from 'ws';
    const socket = new WebSocket(process.env.URL, { headers: { Authorization: 'Bearer ' + process.env.TOKEN } });
    socket.on('error', (error) => { console.log(JSON.stringify({ ok: false, error: String(error.message) })); process.exit(0); });
    socket.on('open', () => socket.send(JSON.stringify({ id: 'h', type: 'hello', params: { protocol: 1, server: { name: 'newcomer' }, process: { pid: process.pid } } })));
    socket.on('message', (data) => { const frame = JSON.parse(String(data)); console.log(JSON.stringify({ ok: frame.ok, server: frame.ok ? 'newcomer' : frame.error.code })); socket.close(); });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, env: { ...process.env, URL: url, TOKEN: token } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  return JSON.parse(output.trim().split('\n').at(-1) ?? 'null') as unknown;
}
