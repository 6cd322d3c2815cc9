/**
 * Running `keyhold run`'s command: the environment it was given, stdin passed
 * through untouched (the same file descriptor when it is this process's own
 * stdin, so no byte is read, buffered or changed by Keyhold), stdout/stderr
 * through the masker (or straight through with masking off), and SIGINT,
 * SIGTERM, SIGHUP forwarded while it runs. The child decides what a signal
 * means; `keyhold run` waits for it to exit and reports how it ended.
 *
 * Note: on Ctrl-C in a terminal the whole foreground process group gets
 * SIGINT, so the child may see it twice (from the terminal and forwarded), as
 * under most wrappers (npm, tini); programs treat that the same as once.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { finished } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';

import { maskingStream, type Pattern } from './output-masker.js';

export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface ChildIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export interface ChildSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Patterns to mask in stdout and stderr; undefined = no masking (output passes straight through). */
  readonly mask: readonly Pattern[] | undefined;
}

export type ChildExit =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signaled'; readonly signal: NodeJS.Signals }
  /** The command could not be started (ENOENT: not found, EACCES: not executable, …). */
  | { readonly kind: 'failed'; readonly code: string };

export async function runChild(spec: ChildSpec, io: ChildIo): Promise<ChildExit> {
  const inheritIn = io.stdin === process.stdin;
  const inheritOut = spec.mask === undefined && io.stdout === process.stdout;
  const inheritErr = spec.mask === undefined && io.stderr === process.stderr;
  const stdio: StdioOptions = [inheritIn ? 'inherit' : 'pipe', inheritOut ? 'inherit' : 'pipe', inheritErr ? 'inherit' : 'pipe'];
  const child = spawn(spec.command, [...spec.args], { env: { ...spec.env }, stdio });

  const forward = (signal: NodeJS.Signals): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);

  if (!inheritIn && child.stdin !== null) {
    child.stdin.on('error', () => undefined); // the child exited without reading all of it: fine
    io.stdin.pipe(child.stdin);
  }
  const piped = [
    child.stdout === null ? undefined : relay(child.stdout, io.stdout, spec.mask),
    child.stderr === null ? undefined : relay(child.stderr, io.stderr, spec.mask),
  ].filter((p): p is Promise<void> => p !== undefined);

  try {
    const exit = await new Promise<ChildExit>((resolve) => {
      child.once('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'failed', code: error.code ?? 'unknown error' }));
      child.once('close', (code, signal) => resolve(signal !== null ? { kind: 'signaled', signal } : { kind: 'exited', code: code ?? 1 }));
    });
    await Promise.all(piped);
    return exit;
  } finally {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
    if (!inheritIn && child.stdin !== null) io.stdin.unpipe(child.stdin);
  }
}

/** Copies one output of the child to ours, masked; resolves once all of it is handed to `to`. */
async function relay(from: Readable, to: NodeJS.WritableStream, mask: readonly Pattern[] | undefined): Promise<void> {
  const source: Readable = mask === undefined ? from : from.pipe(maskingStream(mask));
  // If our side goes away (EPIPE: the reader closed it), stop reading, so the child gets EPIPE too.
  const onError = (): void => {
    source.unpipe(to as Writable);
    from.destroy();
    if (source !== from) source.destroy();
  };
  to.on('error', onError);
  source.pipe(to as Writable, { end: false });
  try {
    await finished(source).catch(() => undefined);
    // Wait until what was written has left our buffers (process.exit would drop it otherwise).
    await new Promise<void>((resolve) => to.write('', () => resolve()));
  } finally {
    to.off('error', onError);
  }
}
