/**
 * Who is on the other end of a bridge connection. The client says its pid in
 * `hello`, but a client can say anything; on Linux we ask the kernel instead:
 * the connection's socket inode (/proc/net/tcp{,6}), every process holding a
 * descriptor to it (socket-holders.ts), and for the one holder its executable
 * (realpath of /proc/<pid>/exe), what it runs (entry-script.ts) and the MCP
 * client that started it (launching-client.ts).
 *
 * Only a connection held by exactly one process, which is the pid the client
 * claimed, and whose script can be read, gets an `identity` — the thing an
 * always-allow rule is bound to. Every other case says why not
 * (`unverifiedReason`): rules never apply to it. More than one holder (a
 * socket opened by one process and lent to another) is shown as shared and
 * not verified. Elsewhere than Linux the claimed pid is shown, unverified.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

import { neutralizeClientText } from '../../shared/client-text.js';
import { MAX_IDENTITY_TEXT, type ProcessIdentity, type UnverifiedReason } from '../../shared/process-identity.js';
import { parseLaunch, type EntryScript, type InterpreterFamily } from './entry-script.js';
import { launchingClient } from './launching-client.js';
import { nodeProcFs, readArgv, type ProcFs } from './proc-fs.js';
import type { ProcessInfo } from './prompter.js';
import { SocketHolderIndex, type SocketPorts } from './socket-holders.js';

export type { SocketPorts };

export interface IdentifyOptions {
  readonly platform?: NodeJS.Platform;
  readonly fs?: ProcFs;
  /** Shared between connections so their /proc scans are shared (socket-holders.ts); default: a fresh one. */
  readonly holders?: SocketHolderIndex;
}

/** Environment variables that load code into an interpreter: part of the identity when set. */
const CODE_LOADING_ENV: Record<InterpreterFamily | 'any', readonly string[]> = {
  node: ['NODE_OPTIONS', 'NODE_PATH'],
  python: ['PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'PYTHONINSPECT'],
  deno: ['DENO_DIR'],
  bun: ['BUN_OPTIONS'],
  uv: [],
  any: ['LD_PRELOAD', 'LD_AUDIT'],
};
const MAX_COMMAND_LINE_CHARS = 500;

export async function identifyPeer(claimedPid: number, ports: SocketPorts, options: IdentifyOptions = {}): Promise<ProcessInfo> {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') return unverified(claimedPid, 'platform');
  const fs = options.fs ?? nodeProcFs;
  const index = options.holders ?? new SocketHolderIndex(fs);
  const lookup = await index.holders(ports);
  if (!lookup.found) return unverified(claimedPid, lookup.why);
  if (lookup.pids.length > 1) {
    const holders = await Promise.all(lookup.pids.map(async (pid) => ({ pid, ...(await describeExecutable(fs, pid)) })));
    const shown = lookup.pids.includes(claimedPid) ? claimedPid : (lookup.pids[0] ?? claimedPid);
    return { claimedPid, pid: shown, verified: false, unverifiedReason: 'shared_socket', holders, ...(await describeProcess(fs, shown)) };
  }
  const pid = lookup.pids[0] ?? claimedPid;
  const described = await describeProcess(fs, pid);
  const base = { claimedPid, pid, verified: true, ...described };
  if (described.executable === undefined) return { ...base, verified: false, unverifiedReason: 'proc_unreadable' };
  if (pid !== claimedPid) return { ...base, unverifiedReason: 'claimed_pid_mismatch' };
  const found = await readIdentity(fs, pid, described.executable);
  return 'reason' in found ? { ...base, unverifiedReason: found.reason } : { ...base, identity: found };
}

function unverified(claimedPid: number, reason: UnverifiedReason): ProcessInfo {
  return { claimedPid, pid: claimedPid, verified: false, unverifiedReason: reason };
}

async function describeExecutable(fs: ProcFs, pid: number): Promise<{ executable?: string }> {
  const executable = await fs.readlink(`/proc/${pid}/exe`).catch(() => undefined);
  return executable === undefined ? {} : { executable: capped(executable) };
}

async function describeProcess(fs: ProcFs, pid: number): Promise<{ executable?: string; commandLine?: string }> {
  const argv = await readArgv(fs, pid);
  const commandLine = argv === undefined ? undefined : capped(argv.filter(Boolean).join(' '), MAX_COMMAND_LINE_CHARS);
  return { ...(await describeExecutable(fs, pid)), ...(commandLine === undefined || commandLine === '' ? {} : { commandLine }) };
}

/** The identity of one verified process, or why it has none. */
export async function readIdentity(fs: ProcFs, pid: number, executable: string): Promise<ProcessIdentity | { reason: UnverifiedReason }> {
  const argv = (await readArgv(fs, pid)) ?? [];
  const launch = parseLaunch(executable, argv);
  if (launch !== undefined && 'rewritten' in launch) return { reason: 'argv_rewritten' };
  if (launch?.script.kind === 'stdin') return { reason: 'no_script' };
  const cwd = await fs.readlink(`/proc/${pid}/cwd`).catch(() => undefined);
  const env = await readEnvironment(fs, pid, launch?.family);
  const preloads = [...(await Promise.all((launch?.preloads ?? []).map((p) => resolvePreload(fs, cwd, p)))), ...env].map((text) => capped(text));
  const { client, package: packageSpec } = await launchingClient(fs, pid);
  const script = launch === undefined ? undefined : await describeScript(fs, cwd, launch.script);
  const args = decidingArguments(argv, launch?.script);
  return {
    executable: capped(executable),
    ...(script === undefined ? {} : { script: capped(script) }),
    ...(args === undefined ? {} : { arguments: capped(args) }),
    ...(preloads.length === 0 ? {} : { preloads: preloads.slice(0, 32) }),
    ...(packageSpec === undefined ? {} : { package: capped(packageSpec) }),
    client: { kind: client.kind, ...(client.executable === undefined ? {} : { executable: capped(client.executable) }) },
  };
}

/** The keyhold CLI's own entry files: what they run is in their arguments (`run -- <command>`). */
const LAUNCHER_SCRIPT = /(^|\/)(keyhold|keyhold\.mjs|keyhold\.cjs)$/;

/** A native program's arguments, or a launcher script's; undefined when the script alone says what runs. */
function decidingArguments(argv: readonly string[], script: EntryScript | undefined): string | undefined {
  if (script === undefined) return argv.length > 1 ? argv.slice(1).join(' ') : undefined;
  if (script.kind !== 'file' || !LAUNCHER_SCRIPT.test(script.path)) return undefined;
  const rest = argv.slice(argv.indexOf(script.path) + 1);
  return rest.length > 0 ? rest.join(' ') : undefined;
}

async function describeScript(fs: ProcFs, cwd: string | undefined, script: EntryScript): Promise<string | undefined> {
  switch (script.kind) {
    case 'file':
      return realFile(fs, cwd, script.path);
    case 'module':
      return `-m ${script.name} in ${cwd ?? '(unknown directory)'}`;
    case 'inline':
      return `inline code sha256:${createHash('sha256').update(script.code).digest('hex').slice(0, 16)}`;
    case 'package':
      return `package ${script.spec}`;
    case 'stdin':
      return undefined;
  }
}

/** A module name stays as written; a path is resolved like the script. */
async function resolvePreload(fs: ProcFs, cwd: string | undefined, preload: string): Promise<string> {
  return preload.startsWith('.') || preload.startsWith('/') || preload.startsWith('file:') ? realFile(fs, cwd, preload.replace(/^file:\/\//, '')) : preload;
}

/** The real path of a file the process named (relative to its working directory); a missing file is marked, never guessed. */
async function realFile(fs: ProcFs, cwd: string | undefined, path: string): Promise<string> {
  if (/^[a-z]+:\/\//i.test(path)) return path; // deno and bun run URLs
  const absolute = cwd === undefined ? path : resolve(cwd, path);
  return fs.realpath(absolute).catch(() => `${absolute} (not found)`);
}

async function readEnvironment(fs: ProcFs, pid: number, family: InterpreterFamily | undefined): Promise<string[]> {
  const names = [...(family === undefined ? [] : CODE_LOADING_ENV[family]), ...CODE_LOADING_ENV.any];
  const raw = await fs.readFile(`/proc/${pid}/environ`).catch(() => '');
  const set: string[] = [];
  for (const entry of raw.split('\0')) {
    const at = entry.indexOf('=');
    if (at > 0 && names.includes(entry.slice(0, at)) && entry.length > at + 1) set.push(entry);
  }
  return set.sort();
}

/**
 * /proc text is partly the process's choice (its argv, its file names): it is
 * neutralised like any client text (client-text.ts: bidi controls and
 * invisible characters → `�`, blank-looking ones → spaces), control
 * characters and line/paragraph separators become `?`, so nothing it chose can
 * restyle or reorder what the windows and the terminal show, and it is cut to a bound.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function capped(text: string, max = MAX_IDENTITY_TEXT): string {
  const clean = neutralizeClientText(text).replace(CONTROL, '?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
