/**
 * "Start at login", behind the `{ get, set }` that ui-handlers and the tray
 * use. macOS and Windows: Electron's login item settings. Linux, where
 * Electron has none: an XDG autostart entry (`~/.config/autostart/
 * dev.keyhold.app.desktop`) that runs this executable — the AppImage when
 * run from one. Keyhold starts in the tray, so nothing opens at login.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LoginItem {
  get(): boolean;
  set(enabled: boolean): void;
}

/** The part of Electron's `app` used on macOS/Windows. */
export interface LoginItemSettingsApi {
  getLoginItemSettings(): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
}

export const AUTOSTART_FILE_NAME = 'dev.keyhold.app.desktop';

export function electronLoginItem(app: LoginItemSettingsApi): LoginItem {
  return {
    get: () => app.getLoginItemSettings().openAtLogin,
    set: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled }),
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
