/**
 * On Linux the app finds the real process behind a connection from /proc,
 * whatever pid the client claims in hello.
 */
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import { identifyPeer, readIdentity } from '../../src/main/core/process-identity.js';
import { startCore, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import { MemoryKeychain } from '../../src/main/core/memory-keychain.js';
import { nodeProcFs, type ProcFs } from '../../src/main/core/proc-fs.js';
import type { ClientSession } from '../../src/main/core/secret-changes.js';
import { RawBridgeClient } from '../helpers/raw-bridge-client.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('process identity', { skip: process.platform !== 'linux' ? 'needs /proc (Linux)' : false }, () => {
  let core: KeyholdCore;
  let cleanup: () => Promise<void>;
  before(async () => {
    const dir = await makeTempDir();
    cleanup = dir.cleanup;
    core = await startCore({ dataDir: dir.path, prompter: new ScriptedPrompter(), appVersion: 'test', writeDiscoveryFile: false });
  });
  after(async () => {
    await core.stop();
    await cleanup();
  });

  it('an honest client is verified with its executable', async () => {
    const client = await RawBridgeClient.hello(core.url, core.token, 'honest');
    const session = core.sessions().find((s) => s.server === 'honest');
    assert.equal(session?.process.verified, true);
    assert.equal(session?.process.pid, process.pid);
    assert.equal(session?.process.executable, realpathSync(process.execPath));
    client.close();
  });

  it('spoofed_process_identity: a client claiming another pid is shown with its real pid', async () => {
    const client = await RawBridgeClient.connect(core.url, core.token);
    const reply = await client.call('hello', { protocol: 1, server: { name: 'liar' }, process: { pid: 1 } });
    assert.equal(reply.ok, true);
    const session = core.sessions().find((s) => s.server === 'liar');
    assert.equal(session?.process.claimedPid, 1);
    assert.equal(session?.process.pid, process.pid);
    assert.equal(session?.process.verified, true);
    client.close();
  });

  /** Runs `node -e` with a client that says hello as `server` claiming `claim` (a JS expression); resolves with its session and pid. */
  async function childSession(server: string, claim: string, prelude = ''): Promise<{ session: ClientSession | undefined; pid: number | undefined }> {
    const script = `
      ${prelude}
      const WebSocket = require(${JSON.stringify(require_ws())});
      const ws = new WebSocket(process.argv[1], { headers: { Authorization: 'Bearer ' + process.argv[2] } });
      ws.on('open', () => ws.send(JSON.stringify({ id: 'h', type: 'hello', params: { protocol: 1, server: { name: ${JSON.stringify(server)} }, process: { pid: ${claim} } } })));
      ws.on('message', () => setTimeout(() => process.exit(0), 300));`;
    // The third argument leaves room in argv for a process.title rewrite.
    const child = spawn(process.execPath, ['-e', script, core.url, core.token, 'x'.repeat(64)], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    const deadline = Date.now() + 5_000;
    while (!core.sessions().some((s) => s.server === server) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const session = core.sessions().find((s) => s.server === server);
    await exited;
    return { session, pid: child.pid };
  }

  it('a connection from another process is attributed to that process', async () => {
    const { session, pid } = await childSession('child', '99999');
    assert.equal(session?.process.pid, pid);
    assert.equal(session?.process.verified, true);
  });

  it('argv_rewritten: a process that retitles itself to look like a server gets no identity a rule could match', async () => {
    const { session, pid } = await childSession('retitled', 'process.pid', "process.title = 'node /opt/mcp/server-github/dist/index.js';");
    assert.equal(session?.process.pid, pid);
    assert.equal(session?.process.identity, undefined);
    assert.equal(session?.process.unverifiedReason, 'argv_rewritten');
  });

  it('proc_scan_flood: hellos claiming wrong pids share their /proc scans, and each still finds its real process', async () => {
    const dir = await makeTempDir();
    let procScans = 0;
    const counting: ProcFs = {
      ...nodeProcFs,
      readdir: (path) => {
        if (path === '/proc') procScans += 1;
        return nodeProcFs.readdir(path);
      },
    };
    const flooded = await startCore({ dataDir: dir.path, prompter: new ScriptedPrompter(), appVersion: 'test', keychain: new MemoryKeychain(), writeDiscoveryFile: false, procFs: counting });
    const FLOOD = 60;
    const clients = await Promise.all(Array.from({ length: FLOOD }, () => RawBridgeClient.connect(flooded.url, flooded.token)));
    try {
      const honest = await RawBridgeClient.connect(flooded.url, flooded.token);
      clients.push(honest);
      const replies = clients.map((client, i) =>
        client.call('hello', { protocol: 1, server: { name: i === FLOOD ? 'honest' : `flood-${i}` }, process: { pid: i === FLOOD ? process.pid : 1 } }),
      );
      assert.ok((await Promise.all(replies)).every((reply) => reply.ok === true));
      // Today's main scanned all of /proc once per wrong claim (60 scans); shared scans need a handful.
      assert.ok(procScans <= 6, `${procScans} full /proc scans for ${FLOOD + 1} hellos`);
      const sessions = flooded.sessions();
      assert.equal(sessions.length, FLOOD + 1);
      for (const session of sessions) assert.equal(session.process.pid, process.pid, 'every hello is attributed to its real process');
      const honestSession = sessions.find((s) => s.server === 'honest');
      assert.equal(honestSession?.process.identity?.executable, realpathSync(process.execPath));
      assert.equal(sessions.find((s) => s.server === 'flood-0')?.process.unverifiedReason, 'claimed_pid_mismatch');
    } finally {
      for (const client of clients) client.close();
      await flooded.stop();
      await dir.cleanup();
    }
  });

  it('off Linux (or without /proc) the claim is shown, marked unverified', async () => {
    assert.deepEqual(await identifyPeer(4242, { clientPort: 1, serverPort: 2 }, { platform: 'darwin' }), { claimedPid: 4242, pid: 4242, verified: false, unverifiedReason: 'platform' });
  });
});

function require_ws(): string {
  return new URL('../../node_modules/ws/index.js', import.meta.url).pathname;
}

describe('identity parts read from /proc (a fake /proc)', () => {
  const fakeProc = (argv: string[], extra: Record<string, string> = {}): ProcFs => ({
    readdir: () => Promise.resolve([]),
    readlink: (path) => (path.endsWith('/cwd') ? Promise.resolve('/home/u/project') : Promise.reject(new Error('ENOENT'))),
    readFile: (path) => {
      if (path.endsWith('/cmdline')) return Promise.resolve(`${argv.join('\0')}\0`);
      if (path.endsWith('/environ')) return Promise.resolve(Object.entries(extra).map(([k, v]) => `${k}=${v}`).join('\0'));
      return Promise.reject(new Error('ENOENT'));
    },
    realpath: (path) => Promise.resolve(path),
  });

  it('a native program is bound to its arguments (sh -c, docker run …); the keyhold CLI to what it runs', async () => {
    const sh = await readIdentity(fakeProc(['sh', '-c', 'curl https://x']), 7, '/usr/bin/dash');
    assert.equal('arguments' in sh ? sh.arguments : undefined, '-c curl https://x');
    const run = await readIdentity(fakeProc(['node', '/opt/keyhold/bin/keyhold.mjs', 'run', '--', 'node', 'server.js']), 7, '/usr/bin/node');
    assert.equal('script' in run ? run.script : undefined, '/opt/keyhold/bin/keyhold.mjs');
    assert.equal('arguments' in run ? run.arguments : undefined, 'run -- node server.js');
  });

  it('relative scripts resolve against the process\'s directory; preloads and code-loading variables are part of it', async () => {
    const identity = await readIdentity(fakeProc(['node', '--import', './hook.mjs', 'dist/index.js'], { NODE_OPTIONS: '--require /tmp/x.cjs', HOME: '/home/u' }), 7, '/usr/bin/node');
    assert.ok(!('reason' in identity));
    assert.equal(identity.script, '/home/u/project/dist/index.js');
    assert.deepEqual(identity.preloads, ['/home/u/project/hook.mjs', 'NODE_OPTIONS=--require /tmp/x.cjs']);
    assert.equal(identity.arguments, undefined, "a script's own arguments are not part of it");
  });

  it('bidi_override_in_client_text: a script path with bidi controls, blank padding and control characters is shown inert', async () => {
    const identity = await readIdentity(fakeProc(['node', '/opt/mcp/evil\u202egnp.js\u2800\u2800\u001b[2J']), 7, '/usr/bin/node');
    assert.ok(!('reason' in identity));
    assert.equal(identity.script, '/opt/mcp/evil\ufffdgnp.js  ?[2J');
  });

  it('no_script: an interpreter reading code from stdin has no identity', async () => {
    assert.deepEqual(await readIdentity(fakeProc(['python3']), 7, '/usr/bin/python3.12'), { reason: 'no_script' });
  });
});
