/**
 * Through the bridge, against a real `keyhold serve` process (policy
 * prompter, `*=allow_session`) and the real keychain:
 *   - the floor: a bare ws echo round trip to another process;
 *   - a granted read (KeyholdClient.get after "Allow for session");
 *   - reads/s with 1, 10 and 50 concurrent clients (each reads back to back);
 *   - the serve process's RSS idle and after 50 clients × 1,000 reads.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import WebSocket from 'ws';

import { KeyholdClient } from '../../src/bridge/index.js';
import { bundleServe } from '../bundle-serve.js';
import { REPO_ROOT, rssOf, startServe, type ServeHandle } from '../serve-process.js';
import { round, summarize, timeSequential, type BenchResult } from '../stats.js';

export interface BridgeBenchOptions {
  readonly quick: boolean;
  readonly log: (line: string) => void;
}

const SECRET = 'token';
const VALUE = 'ghp_bench_0123456789abcdefghijklmnopqrstuvwxyz';
const MB = 1024 * 1024;

export async function benchBridge(options: BridgeBenchOptions): Promise<BenchResult[]> {
  const quick = options.quick;
  const results: BenchResult[] = [];
  results.push(...(await benchEchoFloor(quick)));

  const bundle = await bundleServe();
  const home = await mkdtemp(join(tmpdir(), 'keyhold-bench-'));
  const server = `bench-${process.pid}`;
  // The secret is stored by a first serve process, so the one measured starts like an app with secrets: it
  // reconciles its index with the keychain at start, and its idle RSS includes the keychain connection.
  const seeding = await startServe({ home, bundle });
  const seeder = new KeyholdClient({ server: { name: server }, url: seeding.discovery.url, token: seeding.discovery.token });
  await seeder.request([{ name: SECRET, label: 'Token', type: 'text', required: true, default: VALUE }]);
  await seeder.close();
  await seeding.stop();
  results.push(await idleRssViaTsx(home));

  const serve = await startServe({ home, policy: '*=allow_session', bundle });
  const clients: KeyholdClient[] = [];
  const connect = async (count: number): Promise<KeyholdClient[]> => {
    const made = Array.from({ length: count }, () => new KeyholdClient({ server: { name: server }, url: serve.discovery.url, token: serve.discovery.token }));
    clients.push(...made);
    // The first read of each connection opens an approval window that the prompter answers "Allow for session".
    await Promise.all(made.map((client) => client.get([SECRET])));
    return made;
  };
  try {
    await settle();
    const idle = await serve.rssBytes();
    options.log(`serve pid ${serve.pid}, idle RSS ${(idle / MB).toFixed(1)} MB`);
    results.push({ name: 'core RSS, idle', note: '`keyhold serve` bundled (as the app bundles the core), one secret stored, 1 s after start', rss_mb: round(idle / MB, 1) });

    const [first] = await connect(1);
    if (first === undefined) throw new Error('no client');
    const got = await first.get([SECRET]);
    if (got[SECRET] !== VALUE) throw new Error('the granted read returned the wrong value');

    const cold = await timeSequential(1_000, 0, () => first.get([SECRET]));
    results.push({ name: 'granted read, first 1,000 (cold)', note: 'the 1,000 reads right after the grant: JIT warm-up included', ...summarize(cold) });
    const times = await timeSequential(quick ? 5_000 : 20_000, quick ? 10_000 : 20_000, () => first.get([SECRET]));
    results.push({ name: 'granted read (bridge)', note: 'KeyholdClient.get of one name under a session grant, one client, back to back, after 10,000+ warm-up reads', ...summarize(times) });

    for (const count of [1, 10, 50]) {
      const group = count === 1 ? [first] : await connect(count);
      const rate = await throughput(group, quick ? 1_500 : 5_000);
      results.push({ name: `granted reads/s, ${count} client${count === 1 ? '' : 's'}`, note: 'each client reads back to back', ...rate.latency, ops_per_s: Math.round(rate.perSecond), samples: rate.reads });
      options.log(`${count} clients: ${Math.round(rate.perSecond)} reads/s`);
    }

    const fifty = clients.slice(-50);
    const loadStart = performance.now();
    await Promise.all(fifty.map(async (client) => {
      for (let i = 0; i < 1_000; i += 1) await client.get([SECRET]);
    }));
    const loadSeconds = (performance.now() - loadStart) / 1000;
    await settle();
    const loaded = await serve.rssBytes();
    results.push({
      name: 'core RSS, after 50 clients × 1,000 reads',
      note: `50,000 granted reads in ${loadSeconds.toFixed(1)} s, clients still connected`,
      rss_mb: round(loaded / MB, 1),
      ops_per_s: Math.round(50_000 / loadSeconds),
      samples: 50_000,
    });
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await deleteBenchSecret(serve, server);
    await serve.stop();
    await rm(home, { recursive: true, force: true });
  }
  return results;
}

/** A bare `node` process that does nothing: the runtime's own share of any Node process's RSS. */
export async function bareNodeRss(): Promise<BenchResult> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    await settle();
    if (child.pid === undefined) throw new Error('node did not start');
    return { name: 'bare node RSS, idle', note: `node ${process.version} running an empty timer (the runtime's floor)`, rss_mb: round((await rssOf(child.pid)) / MB, 1) };
  } finally {
    child.kill('SIGTERM');
  }
}

/** The same serve run from source through tsx (how the `keyhold` bin ran before the CLI was bundled): RSS only. */
async function idleRssViaTsx(home: string): Promise<BenchResult> {
  const serve = await startServe({ home });
  try {
    await settle();
    return { name: 'serve RSS, idle, via tsx', note: '`keyhold serve` from source through tsx (TypeScript loader threads included; the bin now runs the bundled CLI), same data dir', rss_mb: round((await serve.rssBytes()) / MB, 1) };
  } finally {
    await serve.stop();
  }
}

/** Deletes the bench secret through a fresh connection (the prompter allows the delete). */
async function deleteBenchSecret(serve: ServeHandle, server: string): Promise<void> {
  const client = new KeyholdClient({ server: { name: server }, url: serve.discovery.url, token: serve.discovery.token });
  await client.delete([SECRET]).catch(() => undefined);
  await client.close();
}

async function throughput(group: readonly KeyholdClient[], durationMs: number): Promise<{ perSecond: number; reads: number; latency: ReturnType<typeof summarize> }> {
  let reads = 0;
  const samples: number[] = [];
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(group.map(async (client) => {
    while (performance.now() < end) {
      const t = performance.now();
      await client.get([SECRET]);
      samples.push(performance.now() - t);
      reads += 1;
    }
  }));
  return { perSecond: reads / ((performance.now() - start) / 1000), reads, latency: summarize(samples) };
}

/** A bare ws echo server in another process: the same frames' round trip without Keyhold. */
async function benchEchoFloor(quick: boolean): Promise<BenchResult[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'fixtures', 'echo-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      child.once('exit', (code) => reject(new Error(`echo server exited (${code})`)));
    });
    const frame = JSON.stringify({ id: 'AAAAAAAAAAAAAAAAAAAAAA', type: 'secrets.get', params: { names: [SECRET], timeoutMs: 300000 } });
    const sockets = await Promise.all(Array.from({ length: 50 }, () => openEcho(port)));
    const [one] = sockets;
    if (one === undefined) throw new Error('no socket');
    const times = await timeSequential(quick ? 3_000 : 20_000, quick ? 500 : 2_000, () => one.roundTrip(frame));
    let count = 0;
    const durationMs = quick ? 1_500 : 5_000;
    const start = performance.now();
    await Promise.all(sockets.map(async (socket) => {
      while (performance.now() - start < durationMs) {
        await socket.roundTrip(frame);
        count += 1;
      }
    }));
    const rate = count / ((performance.now() - start) / 1000);
    for (const socket of sockets) socket.close();
    return [
      { name: 'floor: ws echo round trip', note: 'bare `ws` echo server in another process, same frame size, one socket', ...summarize(times) },
      { name: 'floor: ws echo/s, 50 sockets', note: 'the same, 50 sockets back to back', ops_per_s: Math.round(rate), samples: count },
    ];
  } finally {
    child.kill('SIGTERM');
  }
}

interface EchoSocket {
  roundTrip(frame: string): Promise<void>;
  close(): void;
}

function openEcho(port: number): Promise<EchoSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  let waiting: (() => void) | undefined;
  ws.on('message', () => {
    const done = waiting;
    waiting = undefined;
    done?.();
  });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        roundTrip: (frame) =>
          new Promise<void>((done) => {
            waiting = done;
            ws.send(frame);
          }),
        close: () => ws.close(),
      }),
    );
  });
}

/** Lets the process finish start-up work and the allocator settle before reading RSS. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1_000));
}
