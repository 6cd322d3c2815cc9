/**
 * `keyhold status`: is the app (or `keyhold serve`) reachable, which version,
 * which data directory, which bridge URL. Exit 0 when it answers, 1 when not,
 * so scripts can ask `keyhold status >/dev/null && …`.
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';

import type { BridgeEndpoint } from '../../bridge/discovery.js';
import { discoveryFilePath } from '../../bridge/discovery.js';
import { fallbackMode } from '../../bridge/env-fallback.js';
import { ENV_FALLBACK, ENV_HOME } from '../../shared/bridge-protocol.js';
import { resolveDataDir } from '../../shared/data-dir.js';
import { CLI_SERVER_NAME, cliClient, errorMessage, reachApp } from './app-client.js';
import { APP_VERSION } from './app-version.js';
import { EXIT_FAILURE, EXIT_OK, parseCommandArgs, type CliCommand, type CliIo } from './command.js';

export const STATUS_HELP = `Usage: keyhold status [--json]

Tells whether Keyhold (the desktop app, or \`keyhold serve\`) is running and
reachable from here: its version, its data directory and bridge URL.

Exit status: 0 when Keyhold answers, 1 when it does not.

Options:
  --json       Print the report as JSON
  -h, --help   Show this help

Environment:
  ${ENV_HOME}          Data directory to look in for bridge.json
  KEYHOLD_BRIDGE_URL, KEYHOLD_BRIDGE_TOKEN   Used instead of bridge.json when both are set
  ${ENV_FALLBACK}      Shown when set (see \`keyhold run --help\`)
`;

export interface StatusReport {
  readonly running: boolean;
  readonly cliVersion: string;
  readonly dataDir: string;
  readonly discoveryFile: string;
  readonly appVersion?: string;
  readonly appPid?: number;
  readonly bridgeUrl?: string;
  /** Where the bridge URL came from: `file`, `env` (KEYHOLD_BRIDGE_URL) or `options`. */
  readonly bridgeSource?: BridgeEndpoint['source']['kind'];
  /** The value of KEYHOLD_FALLBACK, when set. */
  readonly fallback?: string;
  /** Why Keyhold is not reachable, and what to do. */
  readonly problem?: string;
}

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'Tell whether Keyhold is running: version, data directory, bridge URL',
  help: STATUS_HELP,
  run: runStatus,
};

export async function runStatus(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, { json: { type: 'boolean' } });
  if (values.help === true) {
    io.stdout.write(STATUS_HELP);
    return EXIT_OK;
  }
  const report = await probe(io);
  if (values.json === true) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout.write(formatReport(report));
  return report.running ? EXIT_OK : EXIT_FAILURE;
}

async function probe(io: CliIo): Promise<StatusReport> {
  const dataDir = resolve(resolveDataDir({ env: io.env, platform: process.platform, home: homedir() }));
  const mode = fallbackMode(io.env);
  const base = {
    cliVersion: APP_VERSION,
    dataDir,
    discoveryFile: discoveryFilePath({ env: io.env }),
    ...(mode.kind === 'off' ? {} : { fallback: mode.kind === 'env' ? 'env' : mode.value }),
  };
  const client = cliClient(CLI_SERVER_NAME, io);
  try {
    const { endpoint, appVersion } = await reachApp(client, io);
    return {
      running: true,
      ...base,
      appVersion,
      bridgeUrl: endpoint.url,
      bridgeSource: endpoint.source.kind,
      ...(endpoint.source.kind === 'file' ? { appPid: endpoint.source.pid } : {}),
    };
  } catch (error) {
    return { running: false, ...base, problem: errorMessage(error) };
  } finally {
    await client.close();
  }
}

function formatReport(report: StatusReport): string {
  const lines = [report.running ? 'Keyhold is running.' : 'Keyhold is not reachable.'];
  if (report.problem !== undefined) lines.push(`  ${report.problem}`);
  if (report.appVersion !== undefined) lines.push(`  Version:        ${report.appVersion}${report.appPid === undefined ? '' : ` (pid ${report.appPid})`}`);
  if (report.bridgeUrl !== undefined) {
    const from = report.bridgeSource === 'file' ? report.discoveryFile : report.bridgeSource === 'env' ? 'KEYHOLD_BRIDGE_URL' : 'options';
    lines.push(`  Bridge:         ${report.bridgeUrl} (from ${from})`);
  }
  lines.push(`  Data directory: ${report.dataDir}`);
  if (report.fallback !== undefined) {
    lines.push(
      report.fallback === 'env'
        ? `  Fallback:       ${ENV_FALLBACK}=env — while Keyhold is unreachable, secrets come from KEYHOLD_SECRET_* variables`
        : `  Fallback:       ${ENV_FALLBACK}="${report.fallback}" is not a known value (the only one is "env")`,
    );
  }
  lines.push(`  CLI version:    ${APP_VERSION}`);
  return `${lines.join('\n')}\n`;
}
