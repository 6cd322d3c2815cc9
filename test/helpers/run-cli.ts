/**
 * Runs the `keyhold` dispatcher in-process with in-memory streams, as the
 * bin would with a terminal, and returns what it printed and its exit code.
 */
import { PassThrough } from 'node:stream';

import type { CliIo } from '../../src/main/cli/command.js';
import { main } from '../../src/main/cli/keyhold.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** How long the command took (for fail-fast checks with generous bounds). */
  readonly ms: number;
}

export async function runCli(argv: string[], env: Record<string, string>, stdinText?: string): Promise<CliRun> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  if (stdinText !== undefined) stdin.end(stdinText);
  const io: CliIo = { stdin, stdout, stderr, env };
  const started = Date.now();
  const code = await main(argv, io);
  return { code, stdout: out, stderr: err, ms: Date.now() - started };
}
