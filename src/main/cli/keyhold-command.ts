/**
 * How an MCP client config should start `keyhold`: always an absolute path,
 * never `npx keyhold` (`keyhold` is not on the npm registry; npx would fetch
 * whatever package took the name).
 *
 * - Started by the packaged app's launcher (build/cli/keyhold, which sets
 *   KEYHOLD_LAUNCHER to the path it was invoked by, e.g. ~/.local/bin/keyhold):
 *   that path.
 * - Windows, on the app's binary: MCP clients start commands without a
 *   shell, which keyhold.cmd needs, so the config starts Keyhold.exe itself
 *   with the bundled CLI and ELECTRON_RUN_AS_NODE=1 in the entry's env.
 * - Otherwise (a checkout, `npm link`): this node and the script it ran
 *   (bin/keyhold.mjs), both absolute, so the config works without PATH.
 */
import { isAbsolute, resolve } from 'node:path';

export const LAUNCHER_VARIABLE = 'KEYHOLD_LAUNCHER';

export interface CommandLine {
  readonly command: string;
  readonly args: readonly string[];
  /** Variables the entry's env must have for the command to run (Windows: Node mode). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface Runtime {
  readonly platform: NodeJS.Platform;
  /** process.versions.electron: set when the CLI runs on the app's binary. */
  readonly electron: string | undefined;
}

export function keyholdCommandLine(
  env: Readonly<Record<string, string | undefined>>,
  script: string | undefined = process.argv[1],
  node: string = process.execPath,
  runtime: Runtime = { platform: process.platform, electron: process.versions['electron'] },
): CommandLine {
  const args = script === undefined ? [] : [resolve(script)];
  if (runtime.platform === 'win32' && runtime.electron !== undefined) return { command: node, args, env: { ELECTRON_RUN_AS_NODE: '1' } };
  const launcher = env[LAUNCHER_VARIABLE];
  if (launcher !== undefined && isAbsolute(launcher)) return { command: launcher, args: [] };
  return { command: node, args };
}

/** `"command": …, "args": [ …, <rest> ], "env": { …, <env> }` as JSON lines for help texts. */
export function configExample(line: CommandLine, rest: readonly string[], env: Readonly<Record<string, string>>): string {
  const json = (value: unknown): string => JSON.stringify(value).replaceAll('","', '", "').replaceAll('":"', '": "');
  return [
    `  "command": ${JSON.stringify(line.command)},`,
    `  "args": ${json([...line.args, ...rest])},`,
    `  "env": ${json({ ...line.env, ...env }).replace(/^\{/, '{ ').replace(/\}$/, ' }')}`,
  ].join('\n');
}
