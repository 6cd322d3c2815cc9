/**
 * `keyhold rules ls|add|rm`: always-allow rules for `keyhold serve` users (the
 * app's manager has a Rules tab; serve has no manager). Every change goes
 * through the app and asks the user first — an approval (window, or the
 * serve terminal) that names the rule and the process, which no session grant
 * or rule skips.
 *
 * Where `add` takes the identity from: never from this command line (a path
 * typed here would be a claim). The app offers the verified processes it knows
 * for that server (rules.candidates): a live connection of the server (pick
 * it with --pid) or the last verified process that read the secret since the
 * app started (--last-reader). With exactly one, it is used; with several,
 * the command lists them and asks you to choose.
 */
import type { WireRuleCandidate } from '../../shared/bridge-protocol.js';
import { describeIdentity } from '../../shared/process-identity.js';
import { CLI_SERVER_NAME, cliClient, pendingNotice, reachApp } from './app-client.js';
import { EXIT_FAILURE, EXIT_OK, parseCommandArgs, UsageError, type CliCommand, type CliIo } from './command.js';
import { formatRef, parseSecretRef } from './secret-ref.js';
import { sanitizeLine } from './terminal-text.js';

export const RULES_HELP = `Usage: keyhold rules ls
       keyhold rules add <server>/<name> [--pid <pid> | --last-reader]
       keyhold rules rm <server>/<name> [--id <rule id>]

Always-allow rules: one verified process (its program, its script, and the
MCP client that started it) gets a secret without a prompt. Anything else
that says it is that server still asks, and so does a process Keyhold cannot
verify (not Linux, or a connection shared by several processes).

  ls    List every rule and the process it is for.
  add   Ask Keyhold for a rule. The process is one Keyhold verified itself:
        a running connection of that server (--pid <pid>), or the last
        verified process that read the secret (--last-reader). With exactly
        one such process no option is needed; with none, start the MCP
        server and let it use the secret once (it asks), then run add again.
  rm    Ask Keyhold to remove the secret's rules (or the one --id names).

Keyhold asks you before adding or removing a rule (the window, or the
terminal of \`keyhold serve\`, names the rule and the process).

Options:
  --pid <pid>      add: the running connection of the server with this pid
  --last-reader    add: the last verified process that read the secret
  --id <rule id>   rm: only this rule (see \`keyhold rules ls\`)
  -h, --help       Show this help
`;

export const rulesCommand: CliCommand = {
  name: 'rules',
  summary: 'List, add or remove always-allow rules (add/rm ask you first)',
  help: RULES_HELP,
  run: runRules,
};

export async function runRules(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { pid: { type: 'string' }, 'last-reader': { type: 'boolean' }, id: { type: 'string' } }, true);
  if (values.help === true) {
    io.stdout.write(RULES_HELP);
    return EXIT_OK;
  }
  const [action, target, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`unexpected argument "${sanitizeLine(rest[0] ?? '', 40)}"`);
  switch (action) {
    case 'ls':
      if (target !== undefined) throw new UsageError('keyhold rules ls takes no argument');
      return listRules(io);
    case 'add':
      if (values.id !== undefined) throw new UsageError('--id is for rm');
      return addRule(requireTarget(target), { pid: values.pid, lastReader: values['last-reader'] === true }, io);
    case 'rm':
      if (values.pid !== undefined || values['last-reader'] === true) throw new UsageError('--pid and --last-reader are for add');
      return removeRules(requireTarget(target), values.id, io);
    default:
      throw new UsageError(action === undefined ? 'say ls, add or rm' : `unknown action "${sanitizeLine(action, 40)}"; say ls, add or rm`);
  }
}

function requireTarget(target: string | undefined): ReturnType<typeof parseSecretRef> {
  if (target === undefined) throw new UsageError('name the secret: keyhold rules add|rm <server>/<name>');
  return parseSecretRef(target);
}

async function listRules(io: CliIo): Promise<number> {
  const client = cliClient(CLI_SERVER_NAME, io);
  try {
    await reachApp(client, io);
    const rules = await client.rules();
    if (rules.length === 0) io.stdout.write('No always-allow rules: Keyhold asks every time.\n');
    for (const rule of rules) {
      const process = rule.identity === undefined ? 'NO PROCESS YET: asks every time (bind it with keyhold rules add)' : describeIdentity(rule.identity);
      io.stdout.write(`${rule.server}/${rule.name}  ${sanitizeLine(process, 300)}  (id ${rule.id})\n`);
    }
    return EXIT_OK;
  } finally {
    await client.close();
  }
}

async function addRule(ref: ReturnType<typeof parseSecretRef>, choice: { pid: string | undefined; lastReader: boolean }, io: CliIo): Promise<number> {
  if (choice.pid !== undefined && choice.lastReader) throw new UsageError('choose --pid or --last-reader, not both');
  const pid = choice.pid === undefined ? undefined : Number(choice.pid);
  if (pid !== undefined && (!Number.isInteger(pid) || pid <= 0)) throw new UsageError('--pid takes a process id');
  const client = cliClient(ref.server, io);
  try {
    await reachApp(client, io);
    const candidates = await client.ruleCandidates(ref.name);
    const chosen = pick(candidates, pid, choice.lastReader);
    if (chosen === undefined) {
      io.stderr.write(
        candidates.length === 0
          ? `keyhold rules: no verified process of ${ref.server} is connected or has read ${formatRef(ref)} since Keyhold started. Start the MCP server, let it use the secret once (it asks), then run this again.\n`
          : `keyhold rules: choose the process with --pid <pid> or --last-reader:\n${candidates.map((c) => `  ${describeCandidate(c)}\n`).join('')}`,
      );
      return EXIT_FAILURE;
    }
    io.stderr.write(`keyhold rules: asking Keyhold to always give ${formatRef(ref)} to ${sanitizeLine(chosen.description, 300)}\n`);
    const rule = await client.addRule(ref.name, chosen.key, { onPending: pendingNotice(io, 'rules add') });
    io.stdout.write(`Added rule ${rule.id}: ${formatRef(ref)} for ${sanitizeLine(chosen.description, 300)}.\n`);
    return EXIT_OK;
  } finally {
    await client.close();
  }
}

function pick(candidates: readonly WireRuleCandidate[], pid: number | undefined, lastReader: boolean): WireRuleCandidate | undefined {
  if (pid !== undefined) return candidates.find((c) => c.source === 'session' && c.pid === pid);
  if (lastReader) return candidates.find((c) => c.source === 'last_reader');
  // Several entries may be one process (a running connection that is also the last reader).
  return new Set(candidates.map((c) => c.key)).size === 1 ? candidates[0] : undefined;
}

function describeCandidate(candidate: WireRuleCandidate): string {
  const where = candidate.source === 'session' ? `--pid ${candidate.pid ?? '?'}` : '--last-reader';
  return `${where.padEnd(14)} ${sanitizeLine(candidate.description, 300)}`;
}

async function removeRules(ref: ReturnType<typeof parseSecretRef>, id: string | undefined, io: CliIo): Promise<number> {
  const client = cliClient(ref.server, io);
  try {
    await reachApp(client, io);
    const removed = await client.removeRules(ref.name, { id, onPending: pendingNotice(io, 'rules rm') });
    io.stdout.write(`Removed ${removed.length === 1 ? 'the rule' : `${removed.length} rules`} of ${formatRef(ref)}.\n`);
    return EXIT_OK;
  } finally {
    await client.close();
  }
}
