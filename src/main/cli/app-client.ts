/**
 * How CLI commands talk to the app: through `@keyhold/bridge`'s KeyholdClient,
 * like any MCP server, so every read or change of a secret is the app's
 * decision (an approval window), never the CLI's.
 *
 * Fail fast: before connecting, the discovery file is read; when it says the
 * app is not running (no file, or the app that wrote it has exited), the
 * command fails at once with the bridge's "not running" message, which says
 * what to do. Otherwise the connect waits at most CLI_CONNECT_TIMEOUT_MS.
 */
import { KeyholdClient } from '../../bridge/client.js';
import { discoverBridge, type BridgeEndpoint } from '../../bridge/discovery.js';
import type { PendingEvent, ServerName } from '../../shared/bridge-protocol.js';
import { APP_VERSION } from './app-version.js';
import type { CliIo } from './command.js';

/** The server name of commands that are about no one server (`status`, `ls`). */
export const CLI_SERVER_NAME = 'keyhold-cli';
export const CLI_CONNECT_TIMEOUT_MS = 3_000;

/** A client speaking for `server`, with the CLI's environment; `close()` it when done. */
export function cliClient(server: ServerName, io: CliIo): KeyholdClient {
  return new KeyholdClient({
    // The version tells the user in the window that the keyhold CLI asks on the server's behalf.
    server: { name: server, version: `via keyhold CLI ${APP_VERSION}` },
    env: io.env,
    connectTimeoutMs: CLI_CONNECT_TIMEOUT_MS,
    onWarning: (message) => io.stderr.write(`${message}\n`),
  });
}

/** Discovery first (fails at once when the app is not running), then connect. */
export async function reachApp(client: KeyholdClient, io: CliIo): Promise<{ endpoint: BridgeEndpoint; appVersion: string }> {
  const endpoint = await discoverBridge({ env: io.env });
  const { appVersion } = await client.connect();
  return { endpoint, appVersion };
}

/** Tells the user on stderr that a Keyhold window waits for them, with the code to compare. */
export function pendingNotice(io: CliIo, command: string): (event: PendingEvent) => void {
  return (event) => {
    const what = event.kind === 'approval' ? 'approve or deny' : 'enter the values';
    io.stderr.write(`keyhold ${command}: ${what} in the Keyhold window — verification code ${event.verificationCode}\n`);
  };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
