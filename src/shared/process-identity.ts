/**
 * The verified identity of the process behind a bridge connection, as the
 * app read it from the OS (Linux /proc), and what an always-allow rule is
 * bound to. Three parts:
 *   - `executable`: realpath of /proc/<pid>/exe (the kernel's word);
 *   - `script`: for an interpreter (node, python, deno, bun, uv), what it
 *     runs: the real path of the entry file, `-m <module>` (with the working
 *     directory), or a digest of inline code; plus the code it preloads
 *     (`--import`, `-r`, NODE_OPTIONS, PYTHONPATH, LD_PRELOAD …);
 *   - `client`: the MCP client at the top of its parent chain (Claude,
 *     Cursor, VS Code, Codex, a terminal, or unknown), by its executable.
 * The pid is not part of it: the same server started again is the same identity.
 *
 * Pure (zod + strings): the core, the renderer and the CLI share it.
 */
import { z } from 'zod';

export const CLIENT_KINDS = ['claude', 'cursor', 'vscode', 'codex', 'terminal', 'unknown'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export const CLIENT_LABELS: Record<ClientKind, string> = {
  claude: 'Claude',
  cursor: 'Cursor',
  vscode: 'VS Code',
  codex: 'Codex',
  terminal: 'a terminal',
  unknown: 'an unknown program',
};

/** Longest path or text kept in an identity: /proc text is partly chosen by the process. */
export const MAX_IDENTITY_TEXT = 512;
const text = z.string().max(MAX_IDENTITY_TEXT);

export const processIdentitySchema = z.strictObject({
  executable: text,
  /** What an interpreter runs (see the module comment); absent for a native program. */
  script: text.optional(),
  /**
   * The arguments, where they decide what runs: a native program's whole
   * argv after argv[0] (`sh -c …`, `docker run …`), and what the keyhold CLI
   * runs (`keyhold run -- …`). An interpreter's own script arguments are not part of it.
   */
  arguments: text.optional(),
  /** Code loaded before the script (resolved paths), and code-loading environment variables (`NAME=value`). */
  preloads: z.array(text).max(32).optional(),
  /** The npx / uvx / bunx package the process was started through, when one is in its parent chain. */
  package: text.optional(),
  client: z.strictObject({ kind: z.enum(CLIENT_KINDS), executable: text.optional() }),
});
export type ProcessIdentity = z.infer<typeof processIdentitySchema>;

/**
 * Why a connection has no identity a rule could trust. Rules never apply
 * to such a connection: it gets the approval window, which says why.
 */
export const UNVERIFIED_REASONS = ['platform', 'proc_unreadable', 'socket_not_found', 'shared_socket', 'claimed_pid_mismatch', 'argv_rewritten', 'no_script'] as const;
export type UnverifiedReason = (typeof UNVERIFIED_REASONS)[number];

export const UNVERIFIED_TEXT: Record<UnverifiedReason, string> = {
  platform: 'this system does not let Keyhold check which process connected (only Linux does today)',
  proc_unreadable: 'Keyhold could not read /proc to check which process connected',
  socket_not_found: 'Keyhold could not find the process holding the connection',
  shared_socket: 'the connection is shared by more than one process, so Keyhold cannot tell which one is asking',
  claimed_pid_mismatch: 'the process claimed another pid than the one holding the connection',
  argv_rewritten: 'the process rewrote its command line, so Keyhold cannot tell which script it runs',
  no_script: 'the interpreter runs code from its input, not from a script file a rule could name',
};

/** Keeps the end of a long path (the part that says what it is): `…/server-github/dist/index.js`. */
export function shortPath(path: string, maxChars = 60): string {
  if (path.length <= maxChars) return path;
  const parts = path.split('/');
  let tail = parts.pop() ?? path;
  for (let part = parts.pop(); part !== undefined && tail.length + part.length + 1 <= maxChars - 2; part = parts.pop()) tail = `${part}/${tail}`;
  return `…/${tail}`.slice(-maxChars);
}

function baseName(path: string): string {
  return path.split('/').pop() ?? path;
}

/** One line: `node …/server-github/dist/index.js, started by Claude` (with `preloading …` and the npx/uvx package when there are). */
export function describeIdentity(identity: ProcessIdentity): string {
  const program = `${identity.script === undefined ? shortPath(identity.executable) : `${baseName(identity.executable)} ${shortPath(identity.script)}`}${identity.arguments === undefined ? '' : ` ${identity.arguments.length > 60 ? `${identity.arguments.slice(0, 59)}…` : identity.arguments}`}`;
  const through = identity.package === undefined ? '' : ` (${identity.package})`;
  const preloads = identity.preloads === undefined || identity.preloads.length === 0 ? '' : ` preloading ${identity.preloads.map((p) => shortPath(p, 40)).join(', ')}`;
  return `${program}${through}${preloads}, started by ${CLIENT_LABELS[identity.client.kind]}`;
}

/** What differs between the identity a rule was made for and the one asking, as short phrases. Empty when they are the same. */
export function identityDifferences(rule: ProcessIdentity, actual: ProcessIdentity): string[] {
  const differences: string[] = [];
  if (rule.executable !== actual.executable) differences.push(`program ${actual.executable} instead of ${rule.executable}`);
  if ((rule.script ?? '') !== (actual.script ?? '')) differences.push(`script ${actual.script ?? '(none)'} instead of ${rule.script ?? '(none)'}`);
  if ((rule.arguments ?? '') !== (actual.arguments ?? '')) differences.push(`arguments "${actual.arguments ?? ''}" instead of "${rule.arguments ?? ''}"`);
  if (JSON.stringify(rule.preloads ?? []) !== JSON.stringify(actual.preloads ?? [])) {
    differences.push(`preloaded code ${(actual.preloads ?? []).join(' ') || '(none)'} instead of ${(rule.preloads ?? []).join(' ') || '(none)'}`);
  }
  if ((rule.package ?? '') !== (actual.package ?? '')) differences.push(`package ${actual.package ?? '(none)'} instead of ${rule.package ?? '(none)'}`);
  if (rule.client.kind !== actual.client.kind || (rule.client.executable ?? '') !== (actual.client.executable ?? '')) {
    const label = (client: ProcessIdentity['client']): string => `${CLIENT_LABELS[client.kind]}${client.executable === undefined ? '' : ` (${client.executable})`}`;
    differences.push(`started by ${label(actual.client)} instead of ${label(rule.client)}`);
  }
  return differences;
}

/** True when two identities are "the same process" for a rule: every part equal. */
export function sameIdentity(a: ProcessIdentity, b: ProcessIdentity): boolean {
  return identityDifferences(a, b).length === 0;
}
