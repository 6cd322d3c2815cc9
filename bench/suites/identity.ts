/**
 * What identifying a connection costs under a flood (SECURITY.md,
 * proc_scan_flood): an honest `hello` alone, and an honest `hello` sent
 * together with a flood of hellos that claim a wrong pid — each of which
 * used to cost a full /proc scan of its own (issue: 200 such hellos delayed a
 * legitimate one to 3.7 s). Now concurrent hellos share scans, so the ratio
 * stays small. In-process core with an in-memory keychain: only /proc matters here.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import WebSocket from 'ws';

import { startCore, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import { MemoryKeychain } from '../../src/main/core/memory-keychain.js';
import { nodeProcFs, type ProcFs } from '../../src/main/core/proc-fs.js';
import type { Prompter } from '../../src/main/core/prompter.js';
import { summarize, type BenchResult } from '../stats.js';

/** Nothing here opens a window; a prompt would be answered no. */
const NO_PROMPTS: Prompter = { approve: async () => 'deny', enter: async () => ({ action: 'cancel' }) };

export async function benchHelloFlood(options: { quick: boolean; log: (line: string) => void }): Promise<BenchResult[]> {
  const flood = options.quick ? 100 : 200;
  const rounds = options.quick ? 5 : 10;
  const dir = await mkdtemp(join(tmpdir(), 'keyhold-bench-identity-'));
  let scans = 0;
  const counting: ProcFs = { ...nodeProcFs, readdir: (path) => ((scans += path === '/proc' ? 1 : 0), nodeProcFs.readdir(path)) };
  const core = await startCore({ dataDir: dir, prompter: NO_PROMPTS, appVersion: 'bench', keychain: new MemoryKeychain(), writeDiscoveryFile: false, procFs: counting });
  try {
    const alone: number[] = [];
    for (let i = 0; i < rounds * 2; i += 1) {
      const socket = await open(core);
      alone.push(await timedHello(socket, process.pid));
      socket.close();
    }
    const flooded: number[] = [];
    const scansPerRound: number[] = [];
    for (let i = 0; i < rounds; i += 1) {
      const liars = await Promise.all(Array.from({ length: flood }, () => open(core)));
      const honest = await open(core);
      const before = scans;
      const lies = liars.map((socket) => timedHello(socket, 1));
      flooded.push(await timedHello(honest, process.pid));
      await Promise.all(lies);
      scansPerRound.push(scans - before);
      for (const socket of [...liars, honest]) socket.close();
    }
    options.log(`identity: ${flood} wrong-pid hellos per round, ${scansPerRound.join('/')} /proc scans per round`);
    return [
      { name: 'hello, alone', note: 'connect excluded: hello sent → reply, including the /proc scan that finds every holder of the socket', ...summarize(alone) },
      { name: `hello during ${flood} wrong-pid hellos`, note: `an honest hello sent together with ${flood} hellos claiming pid 1; they share /proc scans (median ${median(scansPerRound)} scans per round)`, ...summarize(flooded) },
    ];
  } finally {
    await core.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function open(core: KeyholdCore): Promise<WebSocket> {
  const socket = new WebSocket(core.url, { headers: { Authorization: `Bearer ${core.token}` } });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function timedHello(socket: WebSocket, pid: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => {
    socket.once('message', () => resolve(performance.now() - started));
    socket.send(JSON.stringify({ id: 'h', type: 'hello', params: { protocol: 1, server: { name: 'bench' }, process: { pid } } }));
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
