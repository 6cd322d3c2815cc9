/**
 * What every `keyhold` command is: a name, a one-line summary for the program's
 * help, its own help text, and a `run` that returns the exit code. Commands get
 * their streams and environment through `CliIo`, never from `process`, so tests
 * can run them with PassThrough streams.
 *
 * Exit codes: 0 done, 1 failed, 2 usage error (unknown command or option).
 */
import { parseArgs } from 'node:util';

import type { TerminalInput } from './terminal-keys.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  readonly stdin: TerminalInput;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface CliCommand {
  readonly name: string;
  /** One line for `keyhold --help`. */
  readonly summary: string;
  /** The whole of `keyhold <name> --help`. */
  readonly help: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** A mistake in how the command was called: the dispatcher prints it with the usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type OptionSpec = { readonly type: 'string' | 'boolean'; readonly short?: string; readonly multiple?: boolean };

/**
 * `parseArgs` in strict mode, with `-h/--help` added to every command.
 * Unknown options and missing values become UsageErrors.
 */
export function parseCommandArgs<const O extends Record<string, OptionSpec>>(argv: readonly string[], options: O, positionals = false) {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } } as O & { help: { type: 'boolean'; short: 'h' } },
      strict: true,
      allowPositionals: positionals,
    });
  } catch (error) {
    if (error instanceof TypeError && typeof (error as { code?: unknown }).code === 'string') {
      throw new UsageError(error.message);
    }
    throw error;
  }
}
