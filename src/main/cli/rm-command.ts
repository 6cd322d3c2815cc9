/**
 * `keyhold rm <server>/<name>…`: deletes stored secrets through the app, which
 * asks the user first (an approval window that says "delete"; one per server).
 */
import { cliClient, pendingNotice, reachApp } from './app-client.js';
import { EXIT_OK, parseCommandArgs, UsageError, type CliCommand, type CliIo } from './command.js';
import { parseSecretRef } from './secret-ref.js';

export const RM_HELP = `Usage: keyhold rm <server>/<name> [<server>/<name>…]

Deletes secrets from the OS keychain. Keyhold asks you first (the approval
window says "delete"), once per server. A name that is not stored is an error
and nothing of that server is deleted.

Options:
  -h, --help   Show this help
`;

export const rmCommand: CliCommand = {
  name: 'rm',
  summary: 'Delete a stored secret',
  help: RM_HELP,
  run: runRm,
};

export async function runRm(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {}, true);
  if (values.help === true) {
    io.stdout.write(RM_HELP);
    return EXIT_OK;
  }
  if (positionals.length === 0) throw new UsageError('name the secret: keyhold rm <server>/<name>');
  const byServer = new Map<string, string[]>();
  for (const ref of positionals.map(parseSecretRef)) {
    const names = byServer.get(ref.server) ?? [];
    if (!names.includes(ref.name)) names.push(ref.name);
    byServer.set(ref.server, names);
  }
  for (const [server, names] of byServer) {
    const client = cliClient(server, io);
    try {
      await reachApp(client, io);
      const { deleted } = await client.delete(names, { onPending: pendingNotice(io, 'rm') });
      for (const name of deleted) io.stdout.write(`Deleted ${server}/${name}.\n`);
    } finally {
      await client.close();
    }
  }
  return EXIT_OK;
}

