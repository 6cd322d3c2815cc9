/**
 * Which MCP client started a process: walk its parent chain (ppid from
 * /proc/<pid>/stat, the kernel's word) and name the first known MCP client
 * (Claude, Cursor, VS Code, Codex) by its executable — or, for a client that
 * is a script (Claude Code, Codex CLI under node), by its script. With no
 * known client in the chain, the nearest shell or terminal makes it
 * "a terminal"; otherwise it is "unknown", named by the direct parent. On the
 * way up, a package runner (npx, npm exec, uvx, bunx) gives the package.
 */
import { basename } from 'node:path';

import type { ClientKind, ProcessIdentity } from '../../shared/process-identity.js';
import { interpreterFamily, npxPackage, parseLaunch } from './entry-script.js';
import { readArgv, readParentPid, type ProcFs } from './proc-fs.js';

/** How far up the chain to look (a shell inside a terminal inside an IDE is about 10). */
const MAX_ANCESTORS = 40;

const SHELLS = new Set(['bash', 'zsh', 'fish', 'sh', 'dash', 'ksh', 'mksh', 'tcsh', 'csh', 'nu', 'elvish', 'xonsh', 'pwsh']);
const TERMINALS = new Set(['gnome-terminal-server', 'konsole', 'xterm', 'alacritty', 'kitty', 'wezterm-gui', 'foot', 'terminator', 'tilix', 'xfce4-terminal', 'tmux', 'screen', 'sshd', 'login', 'ptyxis', 'ghostty', 'urxvt', 'st']);

interface Ancestor {
  readonly executable: string | undefined;
  readonly argv: readonly string[];
}

export interface LaunchingClient {
  readonly client: ProcessIdentity['client'];
  readonly package?: string;
}

export async function launchingClient(fs: ProcFs, pid: number): Promise<LaunchingClient> {
  let packageSpec: string | undefined;
  let nearestTerminal: string | undefined;
  let directParent: string | undefined;
  let current = await readParentPid(fs, pid);
  for (let hops = 0; current !== undefined && current > 1 && hops < MAX_ANCESTORS; hops += 1) {
    const ancestor: Ancestor = {
      executable: await fs.readlink(`/proc/${current}/exe`).catch(() => undefined),
      argv: (await readArgv(fs, current)) ?? [],
    };
    directParent ??= ancestor.executable;
    const known = knownClient(ancestor);
    if (known !== undefined) return { client: { kind: known.kind, executable: known.executable }, ...(packageSpec === undefined ? {} : { package: packageSpec }) };
    packageSpec ??= runnerPackage(ancestor);
    if (nearestTerminal === undefined && isTerminal(ancestor)) nearestTerminal = ancestor.executable ?? ancestor.argv[0];
    current = await readParentPid(fs, current);
  }
  const client: ProcessIdentity['client'] =
    nearestTerminal !== undefined ? { kind: 'terminal', executable: nearestTerminal } : { kind: 'unknown', ...(directParent === undefined ? {} : { executable: directParent }) };
  return { client, ...(packageSpec === undefined ? {} : { package: packageSpec }) };
}

/** A known MCP client, by its executable or, for one that runs under node, its script. */
export function knownClient(ancestor: Ancestor): { kind: Exclude<ClientKind, 'terminal' | 'unknown'>; executable: string } | undefined {
  const { executable } = ancestor;
  if (executable === undefined) return undefined;
  const name = basename(executable).toLowerCase();
  if (/^claude(-desktop)?$/.test(name) || /\/claude(-desktop)?\//i.test(executable)) return { kind: 'claude', executable };
  if (name === 'cursor' || /\/cursor\//i.test(executable) || /\.mount_cursor/i.test(executable)) return { kind: 'cursor', executable };
  if (/^(code|code-insiders|code-oss|codium|vscodium)$/.test(name) || /\/(visual studio code|vscode)[^/]*\//i.test(executable)) return { kind: 'vscode', executable };
  if (name === 'codex') return { kind: 'codex', executable };
  if (interpreterFamily(executable) === 'node') {
    const launch = parseLaunch(executable, ancestor.argv);
    const script = launch !== undefined && 'script' in launch && launch.script.kind === 'file' ? launch.script.path : undefined;
    if (script?.includes('@anthropic-ai/claude-code') === true || (script !== undefined && basename(script) === 'claude')) return { kind: 'claude', executable: script };
    if (script?.includes('@openai/codex') === true || (script !== undefined && basename(script) === 'codex')) return { kind: 'codex', executable: script };
  }
  return undefined;
}

function isTerminal(ancestor: Ancestor): boolean {
  const name = basename(ancestor.executable ?? '');
  return SHELLS.has(name) || TERMINALS.has(name);
}

/** `npx <pkg>` for npx / npm exec, `uvx <pkg>` for uvx / uv tool run, `bunx <pkg>` for bunx. */
function runnerPackage(ancestor: Ancestor): string | undefined {
  const { executable, argv } = ancestor;
  if (executable === undefined) return undefined;
  const family = interpreterFamily(executable);
  if (family === 'node') {
    const launch = parseLaunch(executable, argv);
    if (launch === undefined || !('script' in launch) || launch.script.kind !== 'file') return undefined;
    const script = basename(launch.script.path);
    const at = argv.indexOf(launch.script.path);
    const rest = argv.slice(at + 1);
    if (script === 'npx-cli.js' || script === 'npx') return prefixed('npx', npxPackage(rest));
    if ((script === 'npm-cli.js' || script === 'npm') && (rest[0] === 'exec' || rest[0] === 'x')) return prefixed('npx', npxPackage(rest.slice(1)));
    return undefined;
  }
  if (family === 'uv' || family === 'bun') {
    const launch = parseLaunch(executable, argv);
    if (launch !== undefined && 'script' in launch && launch.script.kind === 'package') return `${family === 'uv' ? 'uvx' : 'bunx'} ${launch.script.spec}`;
  }
  return undefined;
}

function prefixed(runner: string, spec: string | undefined): string | undefined {
  return spec === undefined ? undefined : `${runner} ${spec}`;
}
