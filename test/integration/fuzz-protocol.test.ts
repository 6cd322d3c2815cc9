/**
 * Protocol fuzzing against a real `keyhold serve` process: ≥ 100,000 frames
 * from a seeded PRNG (KEYHOLD_FUZZ_SEED to replay; the seed is printed) —
 * plausible requests, mutated ones, random JSON and text, binary frames,
 * invalid UTF-8, deep JSON, huge arrays, prototype-pollution keys, oversize
 * frames — over parallel connections, plus slow senders (a frame trickled a
 * byte at a time, an upgrade that never finishes) and a client that never
 * reads its replies.
 * Throughout, a witness client must keep being served (granted reads and
 * status), every reply must be a well-formed protocol frame, and afterwards
 * the keychain and the index must be as they were (malformed_frame_fuzz).
 * The prompter denies every window except the witness's, so no frame,
 * however mutated, can store anything.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import WebSocket from 'ws';

import { KeyholdClient } from '../../src/bridge/index.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { INDEX_FILE_NAME } from '../../src/main/core/metadata-index.js';
import { ERROR_CODES, serverFrameSchema } from '../../src/shared/bridge-protocol.js';
import { startServe } from '../../bench/serve-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FRAMES = Number(process.env['KEYHOLD_FUZZ_FRAMES'] ?? 100_000);
const SEED = Number(process.env['KEYHOLD_FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 32));
const CONNECTIONS = 6;
const BURST = 48;
const keychain = createSystemKeychain();
const tag = `${process.pid}${Date.now().toString(36)}`;
const WITNESS = `fuzzwitness-${tag}`;
const FUZZ_SERVERS = ['fuzz-a', 'fuzz-b', 'github', 'slack', WITNESS.toUpperCase()].map((s) => `${s}-${tag}`.slice(0, 64));

/** sfc32: small, fast, good enough to fuzz with, and replayable from one 32-bit seed. */
function prng(seed: number) {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = (): number => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 16; i += 1) next();
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const text = (max: number, alphabet = 'abcXYZ019._-:/\\"{}[],é€😀\u0000\u202e '): string => Array.from({ length: int(max + 1) }, () => pick([...alphabet])).join('');
  return { next, int, pick, text, chance: (p: number) => next() < p };
}
type Rand = ReturnType<typeof prng>;

const TYPES = ['hello', 'secrets.get', 'secrets.request', 'secrets.status', 'secrets.invalidate', 'secrets.list', 'secrets.put', 'secrets.delete', 'cancel', 'nope', '', '__proto__', 'constructor', 'toString'];
const NAMES = ['token', 'api_key', 'a', 'A.b-c_d', '-bad', '', 'x'.repeat(129), '__proto__', 'constructor', 'é'];

function randomJson(r: Rand, depth = 0): unknown {
  const kind = depth > 6 ? r.int(4) : r.int(7);
  if (kind === 0) return r.pick([null, true, false, 0, -1, 1e308, -0, 2 ** 53 + 1, 0.1]);
  if (kind === 1) return r.text(24);
  if (kind === 2) return r.int(1_000_000) - 500_000;
  if (kind === 3) return r.pick(NAMES);
  if (kind === 4) return Array.from({ length: r.int(6) }, () => randomJson(r, depth + 1));
  return Object.fromEntries(Array.from({ length: r.int(6) }, () => [r.chance(0.5) ? r.pick(['id', 'type', 'params', 'names', 'fields', 'values', '__proto__', 'constructor', 'prototype']) : r.text(8), randomJson(r, depth + 1)]));
}

function plausibleParams(r: Rand, type: string): unknown {
  const names = () => Array.from({ length: 1 + r.int(3) }, () => r.pick(NAMES));
  const field = () => ({ name: r.pick(NAMES), label: r.text(10) || 'L', type: r.pick(['text', 'password', 'url', 'email', 'textarea', 'file']), required: r.chance(0.5), ...(r.chance(0.5) ? { default: r.text(20) } : {}), ...(r.chance(0.2) ? { pattern: r.pick(['^a+$', '(', '.*', '(a+)+$']) } : {}) });
  switch (type) {
    case 'hello': return { protocol: r.pick([1, 1, 1, 2, '1']), server: { name: r.chance(0.8) ? r.pick(FUZZ_SERVERS) : r.text(12) }, process: { pid: r.pick([process.pid, 1, -1, 0, 2 ** 40]) } };
    case 'secrets.get': return { names: names(), ...(r.chance(0.3) ? { reason: r.text(40) } : {}), ...(r.chance(0.3) ? { fields: [field()] } : {}), ...(r.chance(0.3) ? { timeoutMs: r.pick([1, 50, 0, -5, 1e12]) } : {}) };
    case 'secrets.request': return { fields: Array.from({ length: r.int(3) }, field), ...(r.chance(0.3) ? { guide: r.text(60) } : {}), timeoutMs: r.pick([1, 20, 100]) };
    case 'secrets.put': return { values: Object.fromEntries(names().map((n) => [n, r.text(16)])), timeoutMs: r.pick([1, 20]) };
    case 'cancel': return { id: r.text(10) };
    case 'secrets.list': return r.chance(0.8) ? {} : { extra: 1 };
    default: return { names: names(), ...(r.chance(0.2) ? { reason: r.text(20) } : {}) };
  }
}

function plausibleFrame(r: Rand): string {
  const type = r.pick(TYPES);
  const frame: Record<string, unknown> = { id: r.chance(0.9) ? `f${r.int(1e9).toString(36)}` : randomJson(r, 5), type, params: plausibleParams(r, type) };
  if (r.chance(0.1)) delete frame['id'];
  if (r.chance(0.05)) frame[r.pick(['extra', '__proto__', 'constructor'])] = randomJson(r, 4);
  return JSON.stringify(frame);
}

function mutate(r: Rand, text: string): string {
  let out = text;
  for (let i = 0, n = 1 + r.int(4); i < n; i += 1) {
    const at = r.int(out.length + 1);
    const op = r.int(7);
    if (op === 0) out = out.slice(0, at) + r.text(3) + out.slice(at + 1);
    else if (op === 1) out = out.slice(0, at) + out.slice(at + 1 + r.int(8));
    else if (op === 2) out = out.slice(0, at) + out.slice(at, at + 1 + r.int(16)).repeat(1 + r.int(4)) + out.slice(at);
    else if (op === 3) out = out.slice(0, at);
    else if (op === 4) out = out.replace(/\d+/, r.pick(['1e999', '-1', '99999999999999999999', 'NaN', '0x10']));
    else if (op === 5) out = out.replace(r.pick(['"', ':', ',', '{', '[']), r.pick(["'", '', '::', ',,', '{{', ']']));
    else out = out.replace(/"[a-z.]+"/, `"${r.pick(TYPES)}"`);
  }
  return out;
}

/** A few big frames, made once (they cost the generator more than the server). */
function bigFrames(r: Rand): string[] {
  const depth = 40_000 + r.int(80_000);
  return [
    `${'['.repeat(depth)}${']'.repeat(depth)}`,
    `{"id":"deep","type":"secrets.get","params":${'{"names":'.repeat(20_000)}["a"]${'}'.repeat(20_000)}}`,
    JSON.stringify({ id: 'huge-names', type: 'secrets.get', params: { names: Array.from({ length: 30_000 }, (_v, i) => `n${i}`) } }),
    JSON.stringify({ id: 'huge-fields', type: 'secrets.request', params: { fields: Array.from({ length: 3_000 }, (_v, i) => ({ name: `f${i}`, label: 'x', type: 'text', required: false })) } }),
    JSON.stringify({ id: 'huge-values', type: 'secrets.put', params: { values: Object.fromEntries(Array.from({ length: 8_000 }, (_v, i) => [`v${i}`, 'x'])) } }),
    JSON.stringify({ id: 'long-value', type: 'secrets.put', params: { values: { token: 'v'.repeat(200_000) } } }),
  ];
}

interface Outcome { sent: number; replies: number; malformed: number; closes: Map<number, number>; }

/** One fuzzing connection: bursts of frames, each burst ended by a sync request whose reply it waits for. */
async function fuzzConnection(url: string, token: string, r: Rand, quota: number, outcome: Outcome, big: readonly string[]): Promise<void> {
  let sync = 0;
  while (quota > 0) {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false, maxPayload: 8 * 1024 * 1024 });
    const waiting = new Map<string, () => void>();
    let closed = false;
    ws.on('message', (data: Buffer) => {
      outcome.replies += 1;
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString('utf8'));
      } catch {
        parsed = undefined;
      }
      const frame = serverFrameSchema.safeParse(parsed);
      if (!frame.success || ('ok' in frame.data && !frame.data.ok && !ERROR_CODES.includes(frame.data.error.code))) outcome.malformed += 1;
      else if ('id' in frame.data && frame.data.id !== null) waiting.get(frame.data.id)?.();
    });
    const done = new Promise<void>((resolve) => ws.once('close', (code) => {
      closed = true;
      outcome.closes.set(code, (outcome.closes.get(code) ?? 0) + 1);
      for (const release of waiting.values()) release();
      resolve();
    }));
    ws.on('error', () => undefined);
    await new Promise<void>((resolve) => { ws.once('open', () => resolve()); ws.once('close', () => resolve()); });
    if (ws.readyState !== WebSocket.OPEN) continue;
    if (r.chance(0.85)) ws.send(JSON.stringify({ id: 'hello', type: 'hello', params: { protocol: 1, server: { name: r.pick(FUZZ_SERVERS) }, process: { pid: process.pid } } }));
    while (quota > 0 && !closed) {
      for (let i = 0; i < BURST && quota > 0 && !closed; i += 1, quota -= 1) {
        outcome.sent += 1;
        const roll = r.next();
        if (roll < 0.3) ws.send(plausibleFrame(r));
        else if (roll < 0.6) ws.send(mutate(r, plausibleFrame(r)));
        else if (roll < 0.72) ws.send(JSON.stringify(randomJson(r)) ?? 'undefined');
        else if (roll < 0.8) ws.send(r.text(200));
        else if (roll < 0.88) ws.send(Buffer.from(Array.from({ length: r.int(300) }, () => r.int(256))), { binary: true });
        else if (roll < 0.98) ws.send(JSON.stringify({ id: `p${i}`, type: r.pick(TYPES), params: JSON.parse(r.pick(['{"__proto__":{"names":["token"]}}', '{"constructor":{"prototype":{"ok":true}}}', '{"names":{"length":1,"0":"token"}}', '{"names":["token"],"names":["x"]}'])) as unknown }));
        else if (roll < 0.995) ws.send(r.pick(big));
        else if (roll < 0.998) ws.send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]), { binary: false }); // invalid UTF-8 → 1007
        else ws.send('x'.repeat(300 * 1024)); // over the 256 KiB limit → 1009
      }
      if (closed) break;
      const id = `sync-${(sync += 1)}`;
      await new Promise<void>((resolve) => {
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ id, type: 'secrets.status', params: { names: ['token'] } }));
      });
      waiting.delete(id);
    }
    if (!closed) ws.close();
    await done;
  }
}

/** A raw TCP WebSocket client: the upgrade by hand, then masked frames as we please. */
async function rawUpgrade(url: string, token: string): Promise<Socket> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.alloc(16, 7).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`);
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  return socket;
}

function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const mask = Buffer.from([1, 2, 3, 4]);
  const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255]);
  return Buffer.concat([header, mask, payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0))]);
}

describe('protocol fuzzing against keyhold serve', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it(`malformed_frame_fuzz, slow_reader_memory: ${FRAMES} random and mutated frames, slow senders and a non-reading client; serve stays up, others are served, keychain and index unchanged`, async (t) => {
    t.diagnostic(`fuzz seed ${SEED} (replay: KEYHOLD_FUZZ_SEED=${SEED})`);
    const t0 = Date.now();
    const phase = (label: string): void => t.diagnostic(`${label} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const home = await makeTempDir();
    cleanups.push(home.cleanup);
    const serve = await startServe({ home: home.path, policy: `${WITNESS}=allow_session,*=deny` });
    cleanups.push(() => serve.stop());
    const { url, token } = serve.discovery;
    cleanups.push(() => keychain.delete(keychainService(WITNESS), 'token'));
    const witness = new KeyholdClient({ server: { name: WITNESS }, url, token });
    cleanups.push(() => witness.close());
    await witness.request([{ name: 'token', label: 'Token', type: 'text', required: true, default: `witness-${tag}` }]);
    await witness.get(['token']);
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // last-used time on disk
    const before = await snapshot(home.path);

    const r = prng(SEED);
    const big = bigFrames(r);
    const outcome: Outcome = { sent: 0, replies: 0, malformed: 0, closes: new Map() };
    let fuzzing = true;
    const served = { ok: 0, worstMs: 0, failures: [] as string[] };
    const watching = (async () => {
      while (fuzzing) {
        const start = Date.now();
        try {
          assert.deepEqual(await witness.get(['token']), { token: `witness-${tag}` });
          assert.equal((await witness.status(['token']))[0]?.exists, true);
          served.ok += 1;
        } catch (error) {
          served.failures.push(String(error));
        }
        served.worstMs = Math.max(served.worstMs, Date.now() - start);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    // Slow senders: a hello trickled a byte at a time; an upgrade request that never ends.
    const trickle = await rawUpgrade(url, token);
    const trickleReply = new Promise<string>((resolve) => { let text = ''; trickle.on('data', (chunk: Buffer) => { text += chunk.toString('latin1'); if (text.includes('"ok":true')) resolve(text); }); });
    const hello = maskedTextFrame(JSON.stringify({ id: 'slow', type: 'hello', params: { protocol: 1, server: { name: FUZZ_SERVERS[0] }, process: { pid: process.pid } } }));
    let trickled = 0;
    const trickler = setInterval(() => { if (trickled < hello.length) trickle.write(hello.subarray(trickled, (trickled += 1))); }, 15);
    const loris = connect(Number(new URL(url).port), '127.0.0.1');
    loris.on('error', () => undefined);
    let lorisCut = false;
    loris.once('close', () => (lorisCut = true));
    const headers = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${new URL(url).port}\r\nUpgrade: websocket\r\n`;
    let lorisAt = 0;
    const lorisTimer = setInterval(() => { if (lorisAt < headers.length) loris.write(headers[lorisAt++] ?? ''); }, 100);
    cleanups.push(async () => { clearInterval(trickler); clearInterval(lorisTimer); trickle.destroy(); loris.destroy(); });

    // slow_reader_memory: a client that sends and never reads is dropped before the app buffers without bound.
    const reader = await rawUpgrade(url, token);
    const readerEnded = new Promise<void>((resolve) => { reader.once('close', () => resolve()); reader.once('end', () => resolve()); reader.once('error', () => resolve()); });
    const helloAnswered = new Promise<void>((resolve) => reader.once('data', () => resolve()));
    reader.write(maskedTextFrame(JSON.stringify({ id: 'h', type: 'hello', params: { protocol: 1, server: { name: FUZZ_SERVERS[1] }, process: { pid: process.pid } } })));
    await helloAnswered;
    reader.pause();
    const longNames = Array.from({ length: 32 }, (_v, i) => `${'n'.repeat(120)}${i}`);
    const statusFrame = maskedTextFrame(JSON.stringify({ id: 'r', type: 'secrets.status', params: { names: longNames } }));
    for (let i = 0; i < 6_000 && !reader.destroyed; i += 1) {
      if (reader.write(statusFrame)) continue;
      let onDrain = (): void => undefined;
      await Promise.race([new Promise<void>((resolve) => reader.once('drain', (onDrain = resolve))), readerEnded]);
      reader.off('drain', onDrain);
    }

    phase('setup done');
    const started = Date.now();
    const share = Math.ceil(FRAMES / CONNECTIONS);
    await Promise.all(Array.from({ length: CONNECTIONS }, (_v, i) => fuzzConnection(url, token, prng(SEED + i + 1), share, outcome, big)));
    const seconds = (Date.now() - started) / 1000;
    phase('fuzz done');
    const slowReply = await within(trickleReply, 10_000, '');
    reader.resume();
    await within(readerEnded, 10_000, undefined);
    fuzzing = false;
    await watching;
    phase('slow clients done');
    clearInterval(trickler);
    clearInterval(lorisTimer);

    t.diagnostic(`slow senders: trickled hello answered ${slowReply !== ''}, unfinished upgrade cut ${lorisCut}, non-reading client dropped ${reader.destroyed || reader.readableEnded}`);
    t.diagnostic(`${outcome.sent} frames in ${seconds.toFixed(1)} s, ${outcome.replies} replies, closes ${JSON.stringify([...outcome.closes])}; witness served ${served.ok} times, worst ${served.worstMs} ms`);
    assert.ok(outcome.sent >= FRAMES, `sent ${outcome.sent} frames`);
    assert.equal(outcome.malformed, 0, 'every reply is a well-formed protocol frame with a pinned error code');
    for (const code of outcome.closes.keys()) assert.ok([1000, 1005, 1007, 1009].includes(code), `a connection closed with ${code}: only our own close, bad UTF-8 (1007) or oversize (1009) may close one`);
    assert.deepEqual(served.failures, [], 'the witness was served throughout');
    assert.ok(served.ok >= 5, `the witness was served ${served.ok} times`);
    assert.ok(served.worstMs < 5_000, `the witness waited at most ${served.worstMs} ms`);
    assert.match(slowReply, /"ok":true/, 'the trickled hello was answered once complete');
    if (seconds > 8) assert.ok(lorisCut, 'the never-finished upgrade was cut off by the server');
    assert.ok(reader.destroyed || reader.readableEnded, 'the non-reading client was dropped');
    assert.ok(serve.alive(), 'serve is still running');

    await witness.close();
    const stopping = Date.now();
    assert.equal(await serve.stop(), 0, 'serve stops cleanly');
    assert.ok(Date.now() - stopping < 10_000, `shutdown was not held up by the peers that never answer a close (${Date.now() - stopping} ms)`);
    assert.deepEqual(await snapshot(home.path), before, 'keychain and index as they were');
  });
});

/** The promise's value, or `fallback` after `ms` (the timer does not outlive the wait). */
async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** index.json (without the witness's own last-used time, which its reads legitimately move) and every fuzz server's keychain entries. */
async function snapshot(home: string): Promise<{ index: unknown; keychain: Record<string, Record<string, string | null>> }> {
  const index = JSON.parse(await readFile(join(home, INDEX_FILE_NAME), 'utf8')) as { servers: Record<string, Record<string, { lastUsed?: number }>> };
  for (const entries of Object.values(index.servers)) for (const meta of Object.values(entries)) delete meta.lastUsed;
  const entries: Record<string, Record<string, string | null>> = {};
  for (const server of [WITNESS, ...FUZZ_SERVERS]) {
    const service = keychainService(server);
    const accounts = await keychain.accounts(service);
    entries[server] = Object.fromEntries(await Promise.all(accounts.sort().map(async (account) => [account, await keychain.get(service, account)] as const)));
  }
  return { index, keychain: entries };
}
