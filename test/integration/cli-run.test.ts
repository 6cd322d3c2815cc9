/**
 * `keyhold run` as shipped (bin/keyhold.mjs), against the real core and
 * keychain: an MCP SDK Client drives a stdio MCP server that only reads an
 * environment variable; masking; exit codes, signals and stdin pass through;
 * the headless fallback with the app stopped.
 *
 * Threats: secret_in_mcp_config_or_argv (the value is in neither),
 * secret_in_child_output (masked), masking_breaks_jsonrpc_framing (the SDK
 * client keeps working while values are masked in its stream),
 * fallback_bypasses_app (only when the app is unreachable).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, type StdioServerParameters } from '@modelcontextprotocol/sdk/client/stdio.js';

import { placeholderFor } from '../../src/main/cli/output-masker.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { startCore, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { REPO_ROOT, spawnServe } from '../helpers/spawn-serve.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const BIN = join(REPO_ROOT, 'bin/keyhold.mjs');
const MCP_FIXTURE = join(REPO_ROOT, 'test/fixtures/env-token-mcp-server.ts');
const SIGNAL_FIXTURE = join(REPO_ROOT, 'test/fixtures/signal-child.ts');
const keychain = createSystemKeychain();
const tag = `${process.pid}${Date.now().toString(36)}`;
const server = `run-${tag}`;
/** Quotes, a slash and a backslash: the JSON-escaped forms differ from the raw value. */
const TOKEN = `tok_${randomBytes(8).toString('hex')}/"q"\\z`;
const OTHER = `other_${randomBytes(8).toString('hex')}`;

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `keyhold <args>` as a process; `onStdout` sees output as it comes (to signal at the right time). */
function keyhold(args: string[], env: Record<string, string>, options: { stdin?: Buffer; onStdout?: (text: string, pid: number) => void } = {}): Promise<Finished> {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(base)) if (key.startsWith('KEYHOLD_')) delete base[key];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    options.onStdout?.(stdout, child.pid ?? 0);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(options.stdin);
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

const tsxChild = (fixture: string, ...args: string[]): string[] => ['--', process.execPath, '--import', 'tsx', fixture, ...args];

describe('keyhold run with the app running', () => {
  let core: KeyholdCore;
  let prompter: ScriptedPrompter;
  let home: { path: string; cleanup: () => Promise<void> };
  let upstream: Server;
  let upstreamUrl: string;
  const seenAuth: string[] = [];

  before(async () => {
    home = await makeTempDir('keyhold-run-');
    prompter = new ScriptedPrompter();
    core = await startCore({ dataDir: home.path, prompter, appVersion: 'test' });
    await core.vault.put(server, { token: TOKEN, other: OTHER });
    upstream = createServer((request, response) => {
      const auth = request.headers.authorization ?? '';
      seenAuth.push(auth);
      const ok = auth === `Bearer ${TOKEN}`;
      response.writeHead(ok ? 200 : 401, { 'content-type': 'text/plain' }).end(ok ? 'hello demo-user' : 'bad token');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    prompter.shown.length = 0;
  });
  after(async () => {
    upstream.close();
    await core.stop();
    for (const name of ['token', 'other']) await keychain.delete(keychainService(server), name);
    await home.cleanup();
  });

  it('secret_in_mcp_config_or_argv: the SDK Client drives an env-only MCP server through keyhold run; the tool works, the value is nowhere else', async () => {
    prompter.answer({ approval: 'allow' });
    const params: StdioServerParameters = {
      command: process.execPath,
      args: [BIN, 'run', ...tsxChild(MCP_FIXTURE)],
      env: { KEYHOLD_HOME: home.path, DEMO_TOKEN: `keyhold://${server}/token`, UPSTREAM_URL: upstreamUrl },
      cwd: REPO_ROOT,
      stderr: 'pipe',
    };
    assert.ok(!JSON.stringify(params).includes(TOKEN), 'not in the client config');
    const transport = new StdioClientTransport(params);
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const client = new Client({ name: 'keyhold-run-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const whoami = await client.callTool({ name: 'whoami', arguments: {} });
      assert.deepEqual(whoami.content, [{ type: 'text', text: 'upstream 200: hello demo-user' }]);
      assert.deepEqual(seenAuth, [`Bearer ${TOKEN}`], 'the upstream got the value resolved by Keyhold');

      // A careless tool puts the value in the JSON-RPC stream: masked, and the stream still parses.
      const shown = await client.callTool({ name: 'show_token', arguments: {} });
      const texts = (shown.content as Array<{ text: string }>).map((c) => c.text);
      assert.deepEqual(texts, [`DEMO_TOKEN is ${placeholderFor(`${server}/token`)}`, JSON.stringify({ token: placeholderFor(`${server}/token`) })]);
      assert.ok(!JSON.stringify(shown).includes(TOKEN));

      const pids = [transport.pid ?? 0, ...childPids(transport.pid ?? 0)];
      for (const pid of pids) {
        const cmdline = readCmdline(pid);
        if (cmdline !== undefined) assert.ok(!cmdline.includes(TOKEN), `not in the argv of pid ${pid}`);
      }
      assert.ok(pids.length >= 2 || process.platform !== 'linux', 'found the server process under keyhold run');
    } finally {
      await client.close();
    }
    assert.ok(!stderr.includes(TOKEN), 'not in any output');
    assert.match(stderr, new RegExp(`starting with DEMO_TOKEN=${escapeRegExp(placeholderFor(`${server}/token`))}`));
    assert.equal(prompter.shown.length, 1);
    const prompt = prompter.shown[0]?.prompt;
    assert.equal(prompt?.kind, 'approval');
    assert.equal(prompt?.server, server);
    assert.match(prompt?.reason ?? '', /keyhold run: start .* with DEMO_TOKEN=/);
  });

  it('secret_in_child_output: one window for all names of a server; values printed by the child are masked; --no-masking shows them', async () => {
    const script = 'console.log("a=" + process.env.A + " b=" + process.env.B); console.error("err " + process.env.A)';
    const env = { KEYHOLD_HOME: home.path, A: `keyhold://${server}/token`, B: `keyhold://other`, PLAIN: 'x' };
    prompter.answer({ approval: 'allow' }, { approval: 'allow' });
    const masked = await keyhold(['run', '--server', server, '--', process.execPath, '-e', script], env);
    assert.equal(masked.code, 0, masked.stderr);
    assert.equal(masked.stdout, `a=${placeholderFor(`${server}/token`)} b=${placeholderFor(`${server}/other`)}\n`);
    assert.match(masked.stderr, new RegExp(`err ${escapeRegExp(placeholderFor(`${server}/token`))}`));
    assert.ok(!masked.stderr.includes(TOKEN) && !masked.stderr.includes(OTHER));
    assert.equal(prompter.shown.length, 1, 'one approval for both names');
    assert.deepEqual(prompter.shown[0]?.prompt.kind === 'approval' ? [...prompter.shown[0].prompt.names].sort() : [], ['other', 'token']);

    const plain = await keyhold(['run', '--no-masking', '--server', server, '--', process.execPath, '-e', script], env);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, `a=${TOKEN} b=${OTHER}\n`);
  });

  it('a denial stops the run: the command never starts, exit 1', async () => {
    prompter.answer({ approval: 'deny' });
    const marker = join(home.path, 'started');
    const run = await keyhold(['run', '--', process.execPath, '-e', `require("fs").writeFileSync(${JSON.stringify(marker)}, "x")`], {
      KEYHOLD_HOME: home.path,
      KEYHOLD_FALLBACK: 'env',
      KEYHOLD_SECRET_X: 'irrelevant',
      T: `keyhold://${server}/token`,
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /denied/);
    assert.match(run.stderr, /was not started/);
    assert.ok(!existsSync(marker));
  });

  it('exit codes pass through; stdin reaches the command byte for byte (masking on)', async () => {
    prompter.answer({ approval: 'allow' }, { approval: 'allow' });
    const env = { KEYHOLD_HOME: home.path, T: `keyhold://${server}/token` };
    assert.equal((await keyhold(['run', '--', process.execPath, '-e', 'process.exit(3)'], env)).code, 3);
    const input = Buffer.from(randomBytes(256 * 1024).toString('base64'));
    const echoed = await keyhold(['run', '--', process.execPath, '-e', 'process.stdin.pipe(process.stdout)'], env, { stdin: input });
    assert.equal(echoed.code, 0, echoed.stderr);
    assert.ok(Buffer.from(echoed.stdout).equals(input), 'stdout = stdin');
    const missing = await keyhold(['run', '--', 'no-such-command-keyhold-test'], { KEYHOLD_HOME: home.path });
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /command not found/);
  });

  for (const [signal, code] of [['SIGINT', 42], ['SIGTERM', 55]] as const) {
    it(`${signal} to keyhold run is forwarded to the command; its exit code comes back`, async () => {
      const run = await keyhold(['run', ...tsxChild(SIGNAL_FIXTURE, 'trap')], { KEYHOLD_HOME: home.path }, {
        onStdout: (text, pid) => {
          if (text.includes('ready') && !text.includes('got')) process.kill(pid, signal);
        },
      });
      assert.equal(run.code, code, run.stderr);
      assert.match(run.stdout, new RegExp(`got ${signal}`));
    });
  }

  it('a command killed by a signal → 128 + n', async () => {
    let sent = false;
    const run = await keyhold(['run', ...tsxChild(SIGNAL_FIXTURE, 'default')], { KEYHOLD_HOME: home.path }, {
      onStdout: (text, pid) => {
        if (text.includes('ready') && !sent) {
          sent = true;
          process.kill(pid, 'SIGTERM');
        }
      },
    });
    assert.equal(run.code, 128 + 15);
  });
});

describe('keyhold run with the app stopped (headless / CI)', () => {
  let home: { path: string; cleanup: () => Promise<void> };

  before(async () => {
    home = await makeTempDir('keyhold-run-stopped-');
    const serve = await spawnServe(home.path, { autoAnswer: true });
    assert.equal(await serve.stop('SIGTERM'), 0);
  });
  after(async () => {
    await home.cleanup();
  });

  const script = (marker: string): string =>
    `require("fs").writeFileSync(${JSON.stringify(marker)}, "x"); process.stdout.write(process.env.TOKEN === process.env.KEYHOLD_SECRET_DEMO_TOKEN ? "resolved " + process.env.TOKEN : "unresolved")`;

  it('KEYHOLD_FALLBACK=env: the value comes from KEYHOLD_SECRET_DEMO_TOKEN, with one warning; still masked', async () => {
    const value = `ci-${randomBytes(6).toString('hex')}`;
    const marker = join(home.path, 'ran-with-fallback');
    const run = await keyhold(['run', '--', process.execPath, '-e', script(marker)], {
      KEYHOLD_HOME: home.path,
      KEYHOLD_FALLBACK: 'env',
      KEYHOLD_SECRET_DEMO_TOKEN: value,
      TOKEN: 'keyhold://demo/token',
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `resolved ${placeholderFor('demo/token')}`);
    assert.equal(run.stderr.split('KEYHOLD_FALLBACK=env is set').length - 1, 1, `one warning:\n${run.stderr}`);
    assert.match(run.stderr, /KEYHOLD_SECRET_DEMO_TOKEN/);
    assert.ok(!run.stderr.includes(value));
  });

  it('without the fallback: fails at once with what to do, and the command never starts', async () => {
    const marker = join(home.path, 'ran-without-fallback');
    const started = Date.now();
    const run = await keyhold(['run', '--', process.execPath, '-e', script(marker)], {
      KEYHOLD_HOME: home.path,
      KEYHOLD_SECRET_DEMO_TOKEN: 'unused',
      TOKEN: 'keyhold://demo/token',
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /The Keyhold app is not running/);
    assert.match(run.stderr, /Start the Keyhold app, or run `npx keyhold serve`/);
    assert.match(run.stderr, /KEYHOLD_FALLBACK=env/);
    assert.match(run.stderr, /was not started/);
    assert.equal(run.stdout, '');
    assert.ok(!existsSync(marker), 'the command never ran');
    assert.ok(Date.now() - started < 15_000);
  });
});

function childPids(pid: number): number[] {
  try {
    const direct = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return direct.flatMap((child) => [child, ...childPids(child)]);
  } catch {
    return [];
  }
}

function readCmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
