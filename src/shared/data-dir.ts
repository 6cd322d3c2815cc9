/**
 * Where Keyhold keeps its files (discovery file, metadata index, activity log).
 * Shared by the app and `@keyhold/bridge`, so both look in the same place.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

import { ENV_HOME } from './bridge-protocol.js';

export const APP_DIR_NAME = 'Keyhold';

export interface DataDirEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly home: string;
}

/**
 * `KEYHOLD_HOME` when set; else the platform's app-data directory:
 * `$XDG_CONFIG_HOME/Keyhold` (default `~/.config/Keyhold`) on Linux,
 * `~/Library/Application Support/Keyhold` on macOS, `%APPDATA%\Keyhold` on Windows.
 * This is the directory Electron's `app.getPath('userData')` gives for the app too.
 */
export function resolveDataDir(
  where: DataDirEnvironment = { env: process.env, platform: process.platform, home: homedir() },
): string {
  const explicit = where.env[ENV_HOME];
  if (explicit !== undefined && explicit.trim() !== '') return explicit;
  switch (where.platform) {
    case 'darwin':
      return join(where.home, 'Library', 'Application Support', APP_DIR_NAME);
    case 'win32':
      return join(where.env['APPDATA'] ?? join(where.home, 'AppData', 'Roaming'), APP_DIR_NAME);
    default: {
      const xdg = where.env['XDG_CONFIG_HOME'];
      const base = xdg !== undefined && xdg.startsWith('/') ? xdg : join(where.home, '.config');
      return join(base, APP_DIR_NAME);
    }
  }
}
