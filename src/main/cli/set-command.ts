/**
 * `keyhold set <server>/<name>`: stores a value in the keychain through the
 * app, which asks the user first (an approval window that says "store").
 *
 * The value never comes from the command line: argv is visible to every
 * process of every user (`ps`, /proc/<pid>/cmdline) and stays in shell
 * history. It comes from a hidden prompt (echo off), or from stdin when stdin
 * is not a terminal. Anything that looks like a value in argv is refused
 * before anything else happens, and the refusal never repeats it.
 */
import { cliClient, pendingNotice, reachApp } from './app-client.js';
import { EXIT_FAILURE, EXIT_OK, parseCommandArgs, UsageError, type CliCommand, type CliIo } from './command.js';
import { readHiddenLine, readPipedValue } from './hidden-input.js';
import { formatRef, parseSecretRef } from './secret-ref.js';

export const SET_HELP = `Usage: keyhold set <server>/<name>
       printf '%s' "$VALUE" | keyhold set <server>/<name>

Stores a secret value in the OS keychain, new or replacing the stored one.
Keyhold asks you first (the approval window says "store"), like any change.

The value is read from a hidden prompt (nothing is shown as you type), or
from stdin when stdin is not a terminal (one trailing newline is dropped).
A value given on the command line is refused: it would be visible to other
processes and stay in your shell history.

Options:
  -h, --help   Show this help

Example:
  keyhold set github/token            # then paste the token and press Enter
`;

export const setCommand: CliCommand = {
  name: 'set',
  summary: 'Store a secret (value from a hidden prompt or stdin, never argv)',
  help: SET_HELP,
  run: runSet,
};

export async function runSet(argv: readonly string[], io: CliIo): Promise<number> {
  refuseValueInArgv(argv);
  const { values, positionals } = parseCommandArgs(argv, {}, true);
  if (values.help === true) {
    io.stdout.write(SET_HELP);
    return EXIT_OK;
  }
  const [target] = positionals;
  if (target === undefined) throw new UsageError('name the secret: keyhold set <server>/<name>');
  const ref = parseSecretRef(target);
  const client = cliClient(ref.server, io);
  try {
    // Find the app before asking for the value: nobody should type a secret for nothing.
    await reachApp(client, io);
    const value = await readValue(io, formatRef(ref));
    if (value === undefined) {
      io.stderr.write('keyhold set: cancelled; nothing was stored.\n');
      return EXIT_FAILURE;
    }
    if (value === '') {
      io.stderr.write('keyhold set: the value is empty; nothing was stored (use `keyhold rm` to delete a secret).\n');
      return EXIT_FAILURE;
    }
    const result = await client.put({ [ref.name]: value }, { onPending: pendingNotice(io, 'set') });
    io.stdout.write(result.replaced.length > 0 ? `Replaced the value of ${formatRef(ref)}.\n` : `Stored ${formatRef(ref)}.\n`);
    return EXIT_OK;
  } finally {
    await client.close();
  }
}

/**
 * `keyhold set demo/token s3cret`, `demo/token=s3cret`, `--value s3cret`:
 * refused, with a message that does not repeat the value.
 */
export function refuseValueInArgv(argv: readonly string[]): void {
  const end = argv.indexOf('--');
  const before = end < 0 ? argv : argv.slice(0, end);
  const after = end < 0 ? [] : argv.slice(end + 1);
  const positionals = [...before.filter((arg) => !arg.startsWith('-')), ...after];
  // Any other option may be a value that starts with "-": refused without being repeated (parseArgs would quote it).
  const strayOption = before.some((arg) => arg.startsWith('-') && arg !== '-h' && arg !== '--help');
  if (strayOption || positionals.length > 1 || positionals.some((arg) => arg.includes('='))) {
    throw new UsageError(
      'refusing a secret value given on the command line: other processes can read it (ps, /proc) and your shell history keeps it. ' +
        "Run `keyhold set <server>/<name>` and type the value at the hidden prompt, or pipe it in: printf '%s' \"$VALUE\" | keyhold set <server>/<name>",
    );
  }
}

async function readValue(io: CliIo, what: string): Promise<string | undefined> {
  if (io.stdin.isTTY === true) {
    if (typeof io.stdin.setRawMode !== 'function') throw new Error('this terminal cannot turn off echo; pipe the value in on stdin instead');
    return readHiddenLine(io.stdin, io.stderr, `Value for ${what} (hidden; Enter stores it, Esc cancels): `);
  }
  return readPipedValue(io.stdin);
}
