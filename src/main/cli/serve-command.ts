/**
 * `keyhold serve`: the Keyhold core without the desktop app. Approvals and
 * secret entry are asked in this terminal (TerminalPrompter); the bridge
 * listens on loopback and `bridge.json` is written to the data directory, so
 * MCP servers find it exactly as they find the app.
 *
 * `runServe` takes its streams, environment, prompter and stop signal from
 * its caller, so a test fixture can run the real command with another
 * prompter (say, one that answers from a script).
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';

import { ENV_HOME } from '../../shared/bridge-protocol.js';
import { resolveDataDir } from '../../shared/data-dir.js';
import type { CoreOptions, KeyholdCore } from '../core/keyhold-core.js';
import type { Prompter } from '../core/prompter.js';
import { APP_VERSION } from './app-version.js';
import { EXIT_FAILURE, EXIT_OK, parseCommandArgs, UsageError, type CliCommand, type CliIo } from './command.js';
import { TerminalPrompter } from './terminal-prompter.js';

/** The part of the running core `serve` uses; `startCore` gives more. */
export type RunningCore = Pick<KeyholdCore, 'url' | 'token' | 'stop'>;
export type StartCore = (options: CoreOptions) => Promise<RunningCore>;

export interface ServeIo extends CliIo {
  /** Used instead of a TerminalPrompter on stdin/stdout. */
  readonly prompter?: Prompter;
  /** Used instead of the real core (tests of the command itself). */
  readonly startCore?: StartCore;
  /** Stops the server when it aborts; without it, SIGINT, SIGTERM and SIGHUP do. */
  readonly stopSignal?: AbortSignal;
}

export const SERVE_HELP = `Usage: keyhold serve [--port N] [--home DIR]

Runs Keyhold in this terminal, without the desktop app. MCP servers that use
@keyhold/bridge connect to it as they would to the app; when one needs a secret,
the approval or the entry form appears here. Values go to the OS keychain and
are never shown.

Answering a request:
  approval   a = Allow once, s = Allow for this session, d or Esc = Deny
             (Enter does nothing: there is no default answer)
  entry      type each value and press Enter; hidden fields show nothing as
             you type; Esc or Ctrl-C cancels the entry
  waiting    requests from other servers are listed with their codes as they
             arrive; Tab shows the next one (switching answers nothing)

Options:
  --port N     Listen on this loopback port (default: one the OS picks)
  --home DIR   Data directory (default: $${ENV_HOME}, else the app's data directory)
  -h, --help   Show this help

Press Ctrl-C to stop (while a request is on screen, Ctrl-C first answers it: Deny / Cancel).
`;

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Run Keyhold in this terminal: requests are answered here, no desktop app needed',
  help: SERVE_HELP,
  run: (argv, io) => runServe(argv, io),
};

export async function runServe(argv: readonly string[], io: ServeIo): Promise<number> {
  const { values } = parseCommandArgs(argv, { port: { type: 'string' }, home: { type: 'string' } });
  if (values.help === true) {
    io.stdout.write(SERVE_HELP);
    return EXIT_OK;
  }
  const port = values.port === undefined ? undefined : parsePort(values.port);
  const dataDir =
    values.home !== undefined
      ? resolve(values.home)
      : resolve(resolveDataDir({ env: io.env, platform: process.platform, home: homedir() }));

  let terminal: TerminalPrompter | undefined;
  const prompter = io.prompter ?? (terminal = new TerminalPrompter({ input: io.stdin, output: io.stdout }));
  if (terminal !== undefined && io.stdin.isTTY !== true) {
    io.stderr.write(
      'keyhold serve: stdin is not a terminal, so requests cannot be answered here: every one will be refused.\n',
    );
  }

  // Listening before the core starts: a stop signal that arrives while it starts (after
  // bridge.json is written) still stops it cleanly instead of killing the process.
  const stop = listenForStop(io);
  let core: RunningCore;
  try {
    const start = io.startCore ?? (await import('../core/keyhold-core.js')).startCore;
    core = await start({
      dataDir,
      prompter,
      appVersion: APP_VERSION,
      ...(port === undefined ? {} : { port }),
      log: (message) => io.stderr.write(`keyhold: ${message}\n`),
    });
  } catch (error) {
    stop.dispose();
    terminal?.close();
    io.stderr.write(`keyhold serve: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }

  io.stdout.write(
    [
      `Keyhold ${APP_VERSION} — serving in this terminal`,
      `  Data directory: ${dataDir}`,
      `  Bridge:         ${core.url}`,
      'Requests from MCP servers appear here. Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  await stop.requested;
  stop.dispose();
  const forceExit = forceExitOnSecondSignal(io);
  io.stdout.write('\nStopping Keyhold…\n');
  try {
    await core.stop();
  } catch (error) {
    io.stderr.write(`keyhold serve: stopping failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  } finally {
    terminal?.close();
    forceExit.dispose();
  }
  io.stdout.write('Stopped.\n');
  return EXIT_OK;
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new UsageError(`--port takes a port number from 0 to 65535, not "${text}"`);
  }
  return Number(text);
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The first stop request (the abort signal, else SIGINT/SIGTERM/SIGHUP), listened for from the moment this is called. */
function listenForStop(io: ServeIo): { readonly requested: Promise<void>; dispose(): void } {
  if (io.stopSignal !== undefined) {
    const signal = io.stopSignal;
    return {
      requested: signal.aborted ? Promise.resolve() : new Promise((done) => signal.addEventListener('abort', () => done(), { once: true })),
      dispose: () => undefined,
    };
  }
  let stopListening = (): void => undefined;
  const requested = new Promise<void>((done) => {
    stopListening = onStopSignals(() => done());
  });
  return { requested, dispose: () => stopListening() };
}

/** While stopping, a second signal exits at once (code 130), in case stopping hangs. */
function forceExitOnSecondSignal(io: ServeIo): { dispose(): void } {
  if (io.stopSignal !== undefined) return { dispose: () => undefined };
  const force = (): void => {
    io.stderr.write('keyhold serve: stopping did not finish; exiting now.\n');
    process.exit(130);
  };
  return { dispose: onStopSignals(force) };
}

/** Calls `listener` on every stop signal; returns what removes it again. */
function onStopSignals(listener: () => void): () => void {
  for (const name of STOP_SIGNALS) process.on(name, listener);
  return () => STOP_SIGNALS.forEach((name) => process.off(name, listener));
}
