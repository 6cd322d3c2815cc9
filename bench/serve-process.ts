/**
 * A real `keyhold serve` process with the policy prompter
 * (fixtures/policy-serve.ts), for the benchmark and the fuzz, fault and load
 * tests: started on its own data dir, found through the bridge.json it
 * writes, measured through /proc, stopped by its own pid (or its own process
 * group when it runs inside a wrapper such as a private keyring session).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { discoveryFileSchema, type DiscoveryFile } from '../src/shared/bridge-protocol.js';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = join(REPO_ROOT, 'bench', 'fixtures', 'policy-serve.ts');

export interface ServeOptions {
  readonly home: string;
  /** KEYHOLD_FIXTURE_POLICY (see the fixture); default `*=allow_session`. */
  readonly policy?: string;
  /** Extra environment (e.g. a D-Bus address that leads nowhere). */
  readonly env?: NodeJS.ProcessEnv;
  /** A command the serve process runs inside (e.g. a private keyring session); it gets its own process group. */
  readonly wrap?: readonly string[];
  readonly args?: readonly string[];
  /** Run this bundled build of the fixture with plain node (bundle-serve.ts) instead of the source through tsx. */
  readonly bundle?: string;
  /** Flags for node itself (e.g. --cpu-prof when profiling). */
  readonly nodeArgs?: readonly string[];
  /** How long to wait for bridge.json (default 20 s). */
  readonly startTimeoutMs?: number;
}

export interface ServeHandle {
  readonly child: ChildProcess;
  readonly discovery: DiscoveryFile;
  /** The serve process itself (differs from child.pid inside a wrapper). */
  readonly pid: number;
  output(): string;
  /** Resident set size of the serve process, in bytes (Linux /proc). */
  rssBytes(): Promise<number>;
  alive(): boolean;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM (or `signal`) and wait for the exit; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  const entry = options.bundle === undefined ? ['--import', 'tsx', FIXTURE] : [options.bundle];
  const node = [process.execPath, ...(options.nodeArgs ?? []), ...entry, '--home', options.home, ...(options.args ?? [])];
  const command = [...(options.wrap ?? []), ...node];
  const wrapped = options.wrap !== undefined && options.wrap.length > 0;
  const previous = await readDiscovery(options.home);
  const child = spawn(command[0] ?? process.execPath, command.slice(1), {
    cwd: REPO_ROOT,
    env: { ...process.env, KEYHOLD_HOME: options.home, KEYHOLD_FIXTURE_POLICY: options.policy ?? '*=allow_session', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: wrapped,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const hasExited = (): boolean => child.exitCode !== null || child.signalCode !== null;

  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  let discovery: DiscoveryFile | undefined;
  while (discovery === undefined) {
    if (hasExited()) throw new Error(`serve exited early (${child.exitCode ?? child.signalCode}):\n${output}`);
    if (Date.now() > deadline) {
      signalServe(child, wrapped, 'SIGKILL');
      throw new Error(`serve did not write bridge.json within the time limit:\n${output}`);
    }
    const found = await readDiscovery(options.home);
    if (found !== undefined && (wrapped ? found.pid !== previous?.pid || found.token !== previous.token : found.pid === child.pid)) discovery = found;
    else await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const found = discovery;
  return {
    child,
    discovery: found,
    pid: found.pid,
    output: () => output,
    rssBytes: () => rssOf(found.pid),
    alive: () => !hasExited(),
    kill: (signal) => {
      if (!hasExited()) signalServe(child, wrapped, signal);
    },
    stop: async (signal = 'SIGTERM') => {
      if (!hasExited()) signalServe(child, wrapped, signal);
      return exited;
    },
  };
}

/** Inside a wrapper the serve process is a grandchild: signal the whole group we created. */
function signalServe(child: ChildProcess, wrapped: boolean, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (wrapped) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

async function readDiscovery(home: string): Promise<DiscoveryFile | undefined> {
  try {
    const parsed = discoveryFileSchema.safeParse(JSON.parse(await readFile(join(home, 'bridge.json'), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}
