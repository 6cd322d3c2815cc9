/**
 * What `keyhold run` adds to an MCP server's start, measured as a user's MCP
 * client pays it: spawn → exit of `node -e 0`, bare and through the bundled
 * `keyhold` (bin/keyhold.mjs → out/cli, as `npm run build` leaves it), with
 * the headless fallback (no app) and with a running serve plus an
 * always-allow rule (no window). The runs of the four commands interleave, so
 * machine noise hits them alike. Also `keyhold --version` and the CLI's RSS
 * while its command runs.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { KeyholdClient } from '../../src/bridge/index.js';
import { launchingClient } from '../../src/main/core/launching-client.js';
import { nodeProcFs } from '../../src/main/core/proc-fs.js';
import { bundleServe } from '../bundle-serve.js';
import { REPO_ROOT, rssOf, startServe } from '../serve-process.js';
import { round, summarize, type BenchResult } from '../stats.js';

const BIN = join(REPO_ROOT, 'bin', 'keyhold.mjs');
const VALUE = 'ghp_bench_0123456789abcdefghijklmnopqrstuvwxyz';
const MB = 1024 * 1024;

function timedRun(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(0, 200)}`)))),
  );
}

export async function benchCli(options: { quick: boolean; log: (line: string) => void }): Promise<BenchResult[]> {
  const runs = options.quick ? 10 : 30;
  const server = `bench-cli-${process.pid}`;
  const base: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('KEYHOLD_')));
  const noApp = await mkdtemp(join(tmpdir(), 'keyhold-bench-cli-none-'));
  const home = await mkdtemp(join(tmpdir(), 'keyhold-bench-cli-'));
  // The rule exists before the app starts: only the user (the manager) makes rules, never a request. It is bound
  // to the identity the app will verify for the measured command: node running bin/keyhold.mjs with these
  // arguments, started from this benchmark's chain (the same launching client as this process).
  const identity = {
    executable: await realpath(process.execPath),
    script: await realpath(BIN),
    arguments: `run -- ${process.execPath} -e 0`,
    client: (await launchingClient(nodeProcFs, process.pid)).client,
  };
  const rules = [{ id: 'bench', server, name: 'token', createdAt: Date.now(), identity }];
  await writeFile(join(home, 'rules.json'), JSON.stringify({ version: 2, rules }), { mode: 0o600 });
  const serve = await startServe({ home, policy: '*=allow', bundle: await bundleServe() });
  try {
    const seeder = new KeyholdClient({ server: { name: server }, url: serve.discovery.url, token: serve.discovery.token });
    await seeder.put({ token: VALUE });
    await seeder.close();
    const reference = { TOKEN: `keyhold://${server}/token` };
    const fallbackEnv = { ...base, ...reference, KEYHOLD_HOME: noApp, KEYHOLD_FALLBACK: 'env', [`KEYHOLD_SECRET_${server.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_TOKEN`]: VALUE };
    const appEnv = { ...base, ...reference, KEYHOLD_HOME: home };
    const commands = {
      bare: [['-e', '0'], base],
      version: [[BIN, '--version'], base],
      fallback: [[BIN, 'run', '--', process.execPath, '-e', '0'], fallbackEnv],
      app: [[BIN, 'run', '--', process.execPath, '-e', '0'], appEnv],
    } as const;
    const samples: Record<keyof typeof commands, number[]> = { bare: [], version: [], fallback: [], app: [] };
    for (let i = 0; i < runs + 2; i++) {
      for (const [name, [args, env]] of Object.entries(commands) as [keyof typeof commands, (typeof commands)[keyof typeof commands]][]) {
        const ms = await timedRun(args, env);
        if (i >= 2) samples[name].push(ms);
      }
    }
    options.log(`cli: ${runs} runs each`);
    const rss = await cliRss(fallbackEnv);
    return [
      { name: 'node -e 0 (spawn → exit)', note: 'the bare command, for the rows below', ...summarize(samples.bare) },
      { name: 'keyhold --version', note: 'the bundled CLI (bin/keyhold.mjs → out/cli), spawn → exit', ...summarize(samples.version) },
      { name: 'keyhold run -- node -e 0, fallback', note: 'KEYHOLD_FALLBACK=env, no app running: one keyhold:// reference resolved from the environment', ...summarize(samples.fallback) },
      { name: 'keyhold run -- node -e 0, app + rule', note: 'a running serve (bundled) and an always-allow rule: one reference read from the keychain, no window', ...summarize(samples.app) },
      { name: 'keyhold run RSS', note: 'the keyhold process while its command runs (fallback path)', rss_mb: round(rss / MB, 1) },
    ];
  } finally {
    const cleaner = new KeyholdClient({ server: { name: server }, url: serve.discovery.url, token: serve.discovery.token });
    await cleaner.delete(['token']).catch(() => undefined);
    await cleaner.close();
    await serve.stop();
    await rm(home, { recursive: true, force: true });
    await rm(noApp, { recursive: true, force: true });
  }
}

/** RSS of `keyhold run` itself, 700 ms into a command that sleeps. */
async function cliRss(env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [BIN, 'run', '--', process.execPath, '-e', 'setTimeout(() => {}, 1500)'], { env, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve) => setTimeout(resolve, 700));
  if (child.pid === undefined) throw new Error('keyhold did not start');
  const rss = await rssOf(child.pid);
  await exited;
  return rss;
}
