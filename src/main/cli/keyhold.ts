/**
 * `keyhold`: the command-line entry (the bundled out/cli/keyhold.mjs runs `main`; see bin-entry.ts).
 *
 * Global options come before the command; everything after the command name
 * belongs to the command, which parses it itself (`parseCommandArgs`). To add
 * a command, write `<name>-command.ts` exporting a CliCommand and add it to
 * COMMANDS. Keep the module light: heavy imports (the core, the keychain)
 * belong inside `run`, so `--help` and `--version` stay fast and work even
 * when the keychain cannot load. The client commands (run, status, ls, set,
 * rm, rules) reach the app through @keyhold/bridge's KeyholdClient (ws + zod only).
 */
import { parseArgs } from 'node:util';

import { versionLine } from './app-version.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, processIo, UsageError, type CliCommand, type CliIo } from './command.js';
import { importCommand } from './import-command.js';
import { lsCommand } from './ls-command.js';
import { rmCommand } from './rm-command.js';
import { rulesCommand } from './rules-command.js';
import { runCommand } from './run-command.js';
import { serveCommand } from './serve-command.js';
import { setCommand } from './set-command.js';
import { statusCommand } from './status-command.js';

export const COMMANDS: readonly CliCommand[] = [runCommand, importCommand, statusCommand, lsCommand, setCommand, rmCommand, rulesCommand, serveCommand];

export function programHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return `Usage: keyhold <command> [options]

Keeps the API keys of MCP servers in the OS keychain and asks you before any
server uses one.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Options:
  -h, --help      Show this help; \`keyhold <command> --help\` shows a command's
  -v, --version   Print the version

Environment:
  KEYHOLD_HOME      Data directory (default: ~/.config/Keyhold on Linux,
                    ~/Library/Application Support/Keyhold on macOS,
                    %APPDATA%\\Keyhold on Windows)
  KEYHOLD_FALLBACK  \`env\`: while Keyhold is unreachable (CI), read secret
                    <server>/<name> from KEYHOLD_SECRET_<SERVER>_<NAME>
`;
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const commandAt = argv.findIndex((arg) => !arg.startsWith('-'));
  const globalArgs = commandAt < 0 ? argv : argv.slice(0, commandAt);
  let globals;
  try {
    globals = parseArgs({
      args: [...globalArgs],
      options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
      strict: true,
    }).values;
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error), programHelp());
  }
  if (globals.version === true) {
    io.stdout.write(versionLine());
    return EXIT_OK;
  }
  if (globals.help === true) {
    io.stdout.write(programHelp());
    return EXIT_OK;
  }
  const name = commandAt < 0 ? undefined : argv[commandAt];
  if (name === undefined) return usageError(io, 'no command given', programHelp());
  if (name === 'help') {
    const topic = argv[commandAt + 1];
    const command = COMMANDS.find((c) => c.name === topic);
    if (topic !== undefined && command === undefined) return usageError(io, `unknown command "${topic}"`, programHelp());
    io.stdout.write(command?.help ?? programHelp());
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) return usageError(io, `unknown command "${name}"`, programHelp());

  try {
    return await command.run(argv.slice(commandAt + 1), io);
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error.message, command.help, command.name);
    io.stderr.write(`keyhold ${command.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }
}

function usageError(io: CliIo, message: string, help: string, commandName?: string): number {
  io.stderr.write(`keyhold${commandName === undefined ? '' : ` ${commandName}`}: ${message}\n\n${help}`);
  return EXIT_USAGE;
}
