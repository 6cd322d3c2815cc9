/**
 * `keyhold ls [server]`: the names of the stored secrets, as `server/name`
 * lines (or JSON). Never values: the app's `secrets.list` has none to give.
 */
import { serverNameSchema } from '../../shared/bridge-protocol.js';
import { CLI_SERVER_NAME, cliClient, reachApp } from './app-client.js';
import { EXIT_OK, parseCommandArgs, UsageError, type CliCommand, type CliIo } from './command.js';

export const LS_HELP = `Usage: keyhold ls [server] [--json]

Lists the names of the secrets Keyhold stores, one <server>/<name> per line,
for every server or only the one given. Values are never shown. A name marked
"(rejected)" was reported invalid by its server: the next use asks for a new value.

Options:
  --json       Print { servers: [{ name, secrets: [{ name, invalidated }] }] }
  -h, --help   Show this help
`;

export const lsCommand: CliCommand = {
  name: 'ls',
  summary: 'List stored secret names (never values)',
  help: LS_HELP,
  run: runLs,
};

export async function runLs(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } }, true);
  if (values.help === true) {
    io.stdout.write(LS_HELP);
    return EXIT_OK;
  }
  if (positionals.length > 1) throw new UsageError('give at most one server name');
  const only = positionals[0];
  if (only !== undefined) {
    const check = serverNameSchema.safeParse(only);
    if (!check.success) throw new UsageError(`"${only.slice(0, 80)}": ${check.error.issues[0]?.message ?? 'bad server name'}`);
  }
  const client = cliClient(CLI_SERVER_NAME, io);
  try {
    await reachApp(client, io);
    const servers = (await client.list()).filter((server) => only === undefined || server.name === only);
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify({ servers }, null, 2)}\n`);
      return EXIT_OK;
    }
    const lines = servers.flatMap((server) =>
      server.secrets.map((secret) => `${server.name}/${secret.name}${secret.invalidated ? '  (rejected)' : ''}`),
    );
    if (lines.length === 0) io.stderr.write(only === undefined ? 'No secrets are stored.\n' : `No secrets are stored for ${only}.\n`);
    else io.stdout.write(`${lines.join('\n')}\n`);
    return EXIT_OK;
  } finally {
    await client.close();
  }
}
