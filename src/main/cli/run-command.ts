/**
 * `keyhold run [--server NAME] [--env-file FILE] [--no-masking] [--] CMD ARGS…`
 *
 * Keeps secrets out of MCP client configs for servers that read API keys from
 * environment variables and know nothing of Keyhold: the config says
 * `GITHUB_TOKEN=keyhold://github/token`; `keyhold run` asks the app for the
 * value (one window per server for all its names), then starts CMD with the
 * value in its environment only. Nothing is written to disk.
 *
 * - References: a variable whose whole value is `keyhold://<server>/<name>`
 *   (or `keyhold://<name>` with `--server`), from the environment or the env
 *   file. Anything else passes through unchanged.
 * - If a secret cannot be had (denied, cancelled, timeout, app unreachable
 *   without the fallback), CMD is never started and the exit status is 1.
 * - CMD's stdout/stderr are masked (output-masker.ts); stdin is CMD's own;
 *   SIGINT/SIGTERM/SIGHUP are forwarded (child-runner.ts).
 * - Exit status: CMD's; 128 + n when it was killed by signal n (the shell's
 *   convention); 127 when CMD is not found, 126 when it cannot be executed.
 */
import { constants } from 'node:os';

import { serverNameSchema } from '../../shared/bridge-protocol.js';
import { runChild, type ChildExit } from './child-runner.js';
import { EXIT_FAILURE, EXIT_OK, parseCommandArgs, UsageError, type CliCommand, type CliIo } from './command.js';
import { MIN_MASKED_CHARS, maskPatterns } from './output-masker.js';
import { configExample, keyholdCommandLine } from './keyhold-command.js';
import { findReferences, mergeEnv, readEnvFile, resolveReferences } from './run-env.js';
import { resolveSecrets } from './run-secrets.js';

export function runHelp(env: Readonly<Record<string, string | undefined>>): string {
  return `Usage: keyhold run [--server NAME] [--env-file FILE] [--no-masking] [--] CMD [ARGS…]

Runs CMD with secrets from Keyhold in its environment. Every environment
variable whose value is a reference

  keyhold://<server>/<name>      (or keyhold://<name> with --server)

is replaced by the secret's value, after you approve it in Keyhold (one window
per server for all the names the command needs). Nothing is written to disk,
and the values appear nowhere but in CMD's environment.

Options:
  --server NAME     Server for bare keyhold://<name> references
  --env-file FILE   Read more variables from FILE (NAME=value lines; these win
                    over the inherited environment); references work there too
  --no-masking      Do not mask secret values in CMD's output (CMD then writes
                    to the terminal directly, e.g. for interactive programs)
  -h, --help        Show this help

Output masking: a secret value (also JSON- or URL-encoded) in CMD's stdout or
stderr is replaced by «keyhold:<server>/<name>». It works on bytes, holds back
only a possible start of a value, and keeps JSON lines valid, so a stdio MCP
server's JSON-RPC stream is not disturbed. Values shorter than ${MIN_MASKED_CHARS} characters
are not masked (they would match ordinary text).

stdin goes to CMD untouched. SIGINT, SIGTERM and SIGHUP are passed on to CMD.
Exit status: CMD's (128+n if a signal n ended it); 1 if a secret could not be
had (CMD is not started then); 127 if CMD is not found; 2 for a usage error.

Headless / CI: when Keyhold is not reachable, the run fails at once, unless
KEYHOLD_FALLBACK=env is set: then secret <server>/<name> is read from the
variable KEYHOLD_SECRET_<SERVER>_<NAME> (upper case, other characters → _),
with one warning. The fallback is used only when Keyhold is unreachable:
a running Keyhold is always asked, and its "Deny" always stands.

Example (an MCP client config; the absolute path of this keyhold, since MCP
clients may not share your PATH — never \`npx keyhold\`, a name on the npm
registry that is not this program):
${configExample(keyholdCommandLine(env), ['run', '--', 'npx', '-y', '@modelcontextprotocol/server-github'], { GITHUB_PERSONAL_ACCESS_TOKEN: 'keyhold://github/token' })}

\`keyhold import\` writes such entries for the MCP servers already configured.
`;
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'Run a command with keyhold:// references in its environment resolved',
  get help() {
    return runHelp(process.env);
  },
  run: runRun,
};

const VALUE_OPTIONS = new Set(['--server', '--env-file']);

/** keyhold's own options, then the command: after `--`, or from the first argument that is not an option. */
export function splitRunArgs(argv: readonly string[]): { options: string[]; command: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return { options: argv.slice(0, i), command: argv.slice(i + 1) };
    if (!arg.startsWith('-') || arg === '-') return { options: argv.slice(0, i), command: argv.slice(i) };
    if (VALUE_OPTIONS.has(arg)) i++;
  }
  return { options: [...argv], command: [] };
}

export async function runRun(argv: readonly string[], io: CliIo): Promise<number> {
  const { options, command } = splitRunArgs(argv);
  const { values } = parseCommandArgs(options, {
    server: { type: 'string' },
    'env-file': { type: 'string' },
    'no-masking': { type: 'boolean' },
  });
  if (values.help === true) {
    io.stdout.write(runHelp(io.env));
    return EXIT_OK;
  }
  const [program, ...args] = command;
  if (program === undefined || program === '') throw new UsageError('give the command to run: keyhold run -- CMD [ARGS…]');
  const defaultServer = values.server === undefined ? undefined : checkServer(values.server);
  const fileEnv = values['env-file'] === undefined ? {} : await readEnvFile(values['env-file']);
  const env = mergeEnv(io.env, fileEnv);
  const references = findReferences(env, defaultServer);

  let resolved = new Map<string, string>();
  if (references.length > 0) {
    try {
      resolved = await resolveSecrets(references, env, io, [program, ...args].join(' '));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      io.stderr.write(`keyhold run: ${message}\nkeyhold run: ${program} was not started.\n`);
      return EXIT_FAILURE;
    }
  }

  let mask: ReturnType<typeof maskPatterns>['patterns'] | undefined;
  if (values['no-masking'] !== true && resolved.size > 0) {
    const { patterns, skipped } = maskPatterns([...resolved].map(([ref, value]) => ({ ref, value })));
    mask = patterns;
    if (skipped.length > 0) {
      io.stderr.write(`keyhold run: not masking ${skipped.join(', ')} in the output: shorter than ${MIN_MASKED_CHARS} characters.\n`);
    }
  }

  const exit = await runChild({ command: program, args, env: resolveReferences(env, references, resolved), mask }, io);
  return exitStatus(exit, program, io);
}

function checkServer(server: string): string {
  const check = serverNameSchema.safeParse(server);
  if (!check.success) throw new UsageError(`--server: ${check.error.issues[0]?.message ?? 'bad server name'}`);
  return check.data;
}

function exitStatus(exit: ChildExit, program: string, io: CliIo): number {
  switch (exit.kind) {
    case 'exited':
      return exit.code;
    case 'signaled':
      return 128 + (constants.signals[exit.signal] ?? 0);
    case 'failed':
      io.stderr.write(
        `keyhold run: cannot start ${program}: ${exit.code === 'ENOENT' ? 'command not found' : exit.code === 'EACCES' ? 'permission denied' : exit.code}\n`,
      );
      return exit.code === 'ENOENT' ? 127 : 126;
  }
}
