/**
 * How an MCP client config should start `keyhold`: always an absolute path,
 * never `npx keyhold` (`keyhold` is not on the npm registry; npx would fetch
 * whatever package took the name).
 *
 * - Started by the packaged app's launcher (build/cli/keyhold, which sets
 *   KEYHOLD_LAUNCHER to the path it was invoked by, e.g. ~/.local/bin/keyhold):
 *   that path.
 * - Otherwise (a checkout, `npm link`): this node and the script it ran
 *   (bin/keyhold.mjs), both absolute, so the config works without PATH.
 */
import { isAbsolute, resolve } from 'node:path';

export const LAUNCHER_VARIABLE = 'KEYHOLD_LAUNCHER';

export interface CommandLine {
  readonly command: string;
  readonly args: readonly string[];
}

export function keyholdCommandLine(
  env: Readonly<Record<string, string | undefined>>,
  script: string | undefined = process.argv[1],
  node: string = process.execPath,
): CommandLine {
  const launcher = env[LAUNCHER_VARIABLE];
  if (launcher !== undefined && isAbsolute(launcher)) return { command: launcher, args: [] };
  return { command: node, args: script === undefined ? [] : [resolve(script)] };
}

/** `"command": …, "args": [ …, <rest> ]` as JSON lines for help texts. */
export function configExample(line: CommandLine, rest: readonly string[]): string {
  return `  "command": ${JSON.stringify(line.command)},\n  "args": ${JSON.stringify([...line.args, ...rest]).replaceAll('","', '", "')}`;
}
