/**
 * "Start at login", behind the `{ get, set }` that ui-handlers and the tray
 * use. macOS and Windows: Electron's login item settings. Linux, where
 * Electron has none: an XDG autostart entry (`~/.config/autostart/
 * dev.keyhold.app.desktop`) that runs this executable — the AppImage when
 * run from one. Every login item passes `--hidden` (see launch-mode.ts), so
 * nothing opens at login; macOS passes no arguments to a login item and says
 * `wasOpenedAtLogin` instead.
 *
 * A development run has no Keyhold executable: on Windows the login item runs
 * Electron with the app path (as the Linux entry does); on macOS a login item is
 * an app bundle without arguments — it would start the bare Electron app — so
 * there the toggle is unavailable, with the reason.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { UiRequestRejected } from '../core/ui-handlers.js';
import { HIDDEN_FLAG } from './launch-mode.js';

export interface LoginItem {
  get(): boolean;
  /** Throws LoginItemUnavailable when `unavailableReason` is set. */
  set(enabled: boolean): void;
  /** Set when this run cannot register a login item (a macOS development run): says why. */
  readonly unavailableReason?: string;
}

/** A UiRequestRejected: the manager shows its message as it is. */
export class LoginItemUnavailable extends UiRequestRejected {
  override readonly name = 'UiRequestRejected';
}

/** Windows only: what runs at login (Electron's `path` and `args`). */
interface LoginCommand {
  readonly path: string;
  readonly args: string[];
}

/** The part of Electron's `app` used on macOS/Windows. */
export interface LoginItemSettingsApi {
  getLoginItemSettings(options?: { path?: string; args?: string[] }): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; path?: string; args?: string[] }): void;
}

export interface ElectronLaunch {
  readonly platform: NodeJS.Platform;
  readonly isPackaged: boolean;
  /** process.execPath: Keyhold.exe when packaged, the bare Electron binary in a development run. */
  readonly execPath: string;
  /** app.getAppPath(): the checkout a development run must pass to Electron. */
  readonly appPath: string;
}

export const MAC_DEV_LOGIN_ITEM_REASON =
  'A development run cannot start at login on macOS: the login item would open the bare Electron app, not Keyhold. Use an installed Keyhold for this.';

export const AUTOSTART_FILE_NAME = 'dev.keyhold.app.desktop';

export function electronLoginItem(app: LoginItemSettingsApi, launch: ElectronLaunch): LoginItem {
  if (launch.platform === 'darwin' && !launch.isPackaged) {
    return {
      get: () => false,
      set: () => {
        throw new LoginItemUnavailable(MAC_DEV_LOGIN_ITEM_REASON);
      },
      unavailableReason: MAC_DEV_LOGIN_ITEM_REASON,
    };
  }
  if (launch.platform !== 'win32') {
    return { get: () => app.getLoginItemSettings().openAtLogin, set: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled }) };
  }
  // Windows: getLoginItemSettings must be given the same path and args to report the entry it wrote.
  const command: LoginCommand = { path: launch.execPath, args: launch.isPackaged ? [HIDDEN_FLAG] : [launch.appPath, HIDDEN_FLAG] };
  return {
    get: () => app.getLoginItemSettings({ ...command, args: [...command.args] }).openAtLogin,
    set: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled, ...command, args: [...command.args] }),
  };
}

/** `command` is the executable and its arguments, as they must run at login. */
export function xdgAutostartLoginItem(autostartDir: string, command: readonly string[]): LoginItem {
  const file = join(autostartDir, AUTOSTART_FILE_NAME);
  return {
    get: () => existsSync(file),
    set: (enabled) => {
      if (!enabled) {
        rmSync(file, { force: true });
        return;
      }
      mkdirSync(autostartDir, { recursive: true, mode: 0o700 });
      writeFileSync(file, autostartEntry(command), { mode: 0o644 });
    },
  };
}

export function autostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Keyhold',
    'Comment=Keeps the API keys of MCP servers in the OS keychain',
    `Exec=${command.map(desktopExecArgument).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Quotes one Exec argument as the Desktop Entry spec asks (reserved characters quoted, `%` doubled). */
export function desktopExecArgument(arg: string): string {
  const escaped = arg.replace(/%/g, '%%');
  if (!/[\s"'\\$`<>~|&;*?#()]/.test(escaped) && escaped !== '') return escaped;
  return `"${escaped.replace(/(["`$\\])/g, '\\$1')}"`;
}

/**
 * What the XDG autostart entry runs: the AppImage file when run from one (it
 * mounts itself at a temporary path), else this executable — with the app path
 * in a development run — and always `--hidden`.
 */
export function linuxLoginCommand(launch: ElectronLaunch, appImage: string | undefined): string[] {
  const executable = appImage ?? launch.execPath;
  return launch.isPackaged ? [executable, HIDDEN_FLAG] : [executable, launch.appPath, HIDDEN_FLAG];
}
