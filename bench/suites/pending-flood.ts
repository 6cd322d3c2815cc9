/**
 * Memory under a pending-payload flood, against a real `keyhold serve`
 * (bundled, policy prompter holding every `flood-` prompt open): 60
 * connections under different server names (the most one process may hold is
 * 64) each send 9 entry requests of ~230 KB — every per-connection and
 * per-server limit allows that, ~124 MB in all. The budget shared by all
 * connections (connection-limits.ts) admits 16 MiB and refuses the rest with
 * `busy`. Reported: RSS while the admitted requests wait, and after every
 * connection has left, for three identical rounds (and as a ratio to idle). RSS
 * is the allocator's view: that nothing keeps the payloads is a test
 * (pending_payload_across_connections checks with WeakRefs after a GC).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import WebSocket from 'ws';

import { bundleServe } from '../bundle-serve.js';
import { startServe } from '../serve-process.js';
import { round, type BenchResult } from '../stats.js';

const MB = 1024 * 1024;
const CONNECTIONS = 60;
const REQUESTS_PER_CONNECTION = 9;
const ROUNDS = 3;

interface FloodSocket {
  readonly ws: WebSocket;
  /** Ids of replies received (refusals: held requests get no reply). */
  readonly replies: Map<string, { ok: boolean; code?: string }>;
  call(id: string, type: string, params: object): Promise<void>;
}

export async function benchPendingFlood(options: { readonly log: (line: string) => void }): Promise<BenchResult[]> {
  const home = await mkdtemp(join(tmpdir(), 'keyhold-bench-flood-'));
  const serve = await startServe({ home, policy: 'flood-=hold,*=deny', bundle: await bundleServe() });
  try {
    await settle();
    const idle = await serve.rssBytes();
    const rounds = [];
    // Three identical rounds: memory a round leaves is reused by the next, not added to (a leak would grow it).
    for (let round = 0; round < ROUNDS; round++) rounds.push(await flood(serve.discovery.url, serve.discovery.token, serve.rssBytes));
    const [first] = rounds;
    if (first === undefined) throw new Error('no flood round ran');
    const last = rounds.at(-1) ?? first;
    const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;
    const series = rounds.map((r) => mb(r.left)).join(' → ');
    options.log(`pending flood: ${first.held}/${first.sent} held, ${first.refused} refused; RSS idle ${mb(idle)}, flooded ${mb(first.flooded)}, after each round left: ${series}`);
    const what = `${CONNECTIONS} connections × ${REQUESTS_PER_CONNECTION} entry requests of ~230 KB (${Math.round((first.sent * 230) / 1024)} MB sent)`;
    return [
      { name: 'core RSS, pending-payload flood', note: `${what}: ${first.held} held, ${first.refused} refused \`busy\` (16 MiB budget over all connections)`, rss_mb: round(first.flooded / MB, 1) },
      {
        name: 'core RSS, after the flood left',
        note: `all connections closed, 2 s later, after each of ${ROUNDS} identical floods: ${series} (${(last.left / idle).toFixed(2)}× the idle ${mb(idle)}): memory the process keeps for reuse, not growing round by round; that the core keeps no payload is a test (WeakRefs after a GC)`,
        rss_mb: round(last.left / MB, 1),
      },
    ];
  } finally {
    await serve.stop();
    await rm(home, { recursive: true, force: true });
  }
}

async function flood(url: string, token: string, rss: () => Promise<number>): Promise<{ sent: number; held: number; refused: number; flooded: number; left: number }> {
  const sockets: FloodSocket[] = [];
  try {
    for (let i = 0; i < CONNECTIONS; i++) {
      const socket = await open(url, token);
      sockets.push(socket);
      await socket.call('hello', 'hello', { protocol: 1, server: { name: `flood-${i}` }, process: { pid: process.pid } });
    }
    for (const [i, socket] of sockets.entries()) {
      for (let j = 0; j < REQUESTS_PER_CONNECTION; j++) socket.ws.send(JSON.stringify({ id: `r${j}`, type: 'secrets.request', params: largeRequest(`${i}-${j}`) }));
    }
    // A status call answers after every request before it on its connection was taken or refused.
    await Promise.all(sockets.map((socket) => socket.call('status', 'secrets.status', { names: ['A'] })));
    const refused = sockets.reduce((sum, socket) => sum + [...socket.replies.values()].filter((reply) => reply.code === 'busy').length, 0);
    const sent = CONNECTIONS * REQUESTS_PER_CONNECTION;
    await settle();
    const flooded = await rss();
    await Promise.all(sockets.map((socket) => new Promise((resolve) => {
      socket.ws.once('close', resolve);
      socket.ws.close();
    })));
    await settle();
    await settle();
    return { sent, held: sent - refused, refused, flooded, left: await rss() };
  } finally {
    for (const socket of sockets) socket.ws.terminate();
  }
}

function largeRequest(tag: string): object {
  const field = (name: string) => ({ name, label: name, type: 'text', required: false, default: `${tag}-${name}-`.padEnd(60_000, 'x') });
  return { fields: [field('A'), field('B'), field('C')], guide: 'g'.repeat(30_000) };
}

function open(url: string, token: string): Promise<FloodSocket> {
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
  const replies = new Map<string, { ok: boolean; code?: string }>();
  const waiters = new Map<string, () => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { id?: string; ok?: boolean; error?: { code: string }; event?: string };
    if (frame.event !== undefined || typeof frame.id !== 'string') return;
    replies.set(frame.id, { ok: frame.ok === true, ...(frame.error === undefined ? {} : { code: frame.error.code }) });
    waiters.get(frame.id)?.();
  });
  const call = (id: string, type: string, params: object): Promise<void> =>
    new Promise((resolve) => {
      waiters.set(id, resolve);
      ws.send(JSON.stringify({ id, type, params }));
    });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => resolve({ ws, replies, call }));
  });
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1_000));
}
