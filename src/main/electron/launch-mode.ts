/**
 * How Keyhold was started, and what it shows for it. Pure (no electron
 * import), so every platform's branch is unit-tested.
 *
 *  - A login-item start stays quiet (tray only): the XDG autostart entry and
 *    the Windows login item pass `--hidden`; macOS cannot pass arguments to a
 *    login item, but reports `wasOpenedAtLogin`.
 *  - Any other start is the user launching Keyhold: the manager opens, so
 *    something is visible even where no tray icon shows (vanilla GNOME without
 *    the AppIndicator extension, Windows 11's hidden tray icons).
 */
import { isAbsolute } from 'node:path';

import type { MenuItemConstructorOptions } from 'electron';

/** Passed by every login item Keyhold registers. */
export const HIDDEN_FLAG = '--hidden';

/** True for a login-item start (or an explicit `--hidden`): open no window. */
export function startsHidden(argv: readonly string[], platform: NodeJS.Platform, wasOpenedAtLogin: () => boolean): boolean {
  if (argv.includes(HIDDEN_FLAG)) return true;
  return platform === 'darwin' && wasOpenedAtLogin();
}

/**
 * The application menu. macOS always has one (Electron's default has View →
 * Reload, which would blank a pre-loaded prompt window and reload secret
 * windows): app, Edit (copy/paste in fields need it) and Window — nothing
 * that reloads or opens DevTools. Elsewhere windows have no menu bar at all
 * (null also drops the default menu's accelerators, Ctrl+R among them).
 */
export function applicationMenuTemplate(platform: NodeJS.Platform): MenuItemConstructorOptions[] | null {
  if (platform !== 'darwin') return null;
  return [{ role: 'appMenu' }, { role: 'editMenu' }, { role: 'windowMenu' }];
}

/** Why `KEYHOLD_HOME` cannot be used (undefined when it can): Electron's setPath needs an absolute path. */
export function dataDirProblem(dataDir: string, fromEnv: boolean): string | undefined {
  if (isAbsolute(dataDir)) return undefined;
  const what = fromEnv ? `KEYHOLD_HOME is "${dataDir}"` : `The data directory "${dataDir}"`;
  return `${what}, a relative path. Set it to an absolute path (for example "$PWD/${dataDir}"), so that the app and every MCP server mean the same directory.`;
}
