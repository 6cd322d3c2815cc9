/**
 * Reading a client config for `keyhold import` and writing it back safely:
 * - the text is kept as read, with its mode, to detect a change before writing;
 * - writing checks that the file still holds exactly that text (an MCP client
 *   or an editor may have saved it while the approval window was open) and
 *   refuses otherwise, so nobody's change is clobbered;
 * - the new text goes to a temp file beside it with the original mode, fsynced,
 *   then renamed over it: a crash leaves the old file or the new, never half;
 * - a config that is a symlink (a dotfiles repository) is written where it
 *   points, so the link stays and the value does not stay behind in the target.
 * No backup copy is written (the original held the values); `--undo` restores
 * from the undo record and the keychain.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import type { ClientConfig } from './client-configs.js';
import type { ConfigSyntax, ServerEntry } from './config-entry.js';
import { JSONC_SYNTAX, jsoncEntries, parseJsoncTree } from './jsonc-entries.js';
import { parseTomlStatements, TOML_SYNTAX, tomlEntries } from './toml-entries.js';

export interface LoadedConfig {
  readonly config: ClientConfig;
  /** The file itself: a config that is a symlink (dotfiles) is written where it points, and stays a link. */
  readonly realPath: string;
  readonly text: string;
  readonly mode: number;
  readonly syntax: ConfigSyntax;
  readonly entries: readonly ServerEntry[];
}

/** Thrown when the file changed between reading and writing: nothing was written. */
export class ConfigChangedError extends Error {
  override readonly name = 'ConfigChangedError';
}

/** undefined when the file does not exist; a ConfigParseError when it is not its format. */
export async function loadConfig(config: ClientConfig): Promise<LoadedConfig | undefined> {
  let text: string;
  let mode: number;
  let realPath: string;
  try {
    realPath = await realpath(config.path);
    text = await readFile(realPath, 'utf8');
    mode = (await stat(realPath)).mode & 0o7777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return { config, realPath, text, mode, ...parseConfigText(config, text) };
}

export function parseConfigText(config: ClientConfig, text: string): { syntax: ConfigSyntax; entries: ServerEntry[] } {
  if (config.format === 'toml') return { syntax: TOML_SYNTAX, entries: tomlEntries(parseTomlStatements(text, config.path), text.length, config.path) };
  return { syntax: JSONC_SYNTAX, entries: jsoncEntries(parseJsoncTree(text, config.path), config.mapPaths) };
}

export async function writeConfigIfUnchanged(loaded: LoadedConfig, next: string): Promise<void> {
  const path = loaded.realPath;
  const temp = join(dirname(path), `.${basename(path)}.keyhold-${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(next, 'utf8');
    await handle.chmod(loaded.mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    const now = await readFile(path, 'utf8');
    if (now !== loaded.text) {
      throw new ConfigChangedError(`${path} changed after keyhold read it (an MCP client or an editor saved it); it was not written: run keyhold import again`);
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
