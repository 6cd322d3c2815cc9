/**
 * keyhold:// links for an AppImage. The .deb's desktop file declares the
 * scheme and the installers register it, but an AppImage installs nothing:
 * Electron's setAsDefaultProtocolClient on Linux points xdg at the app's
 * desktop file (keyhold.desktop), which does not exist for it. So an AppImage
 * writes its own user desktop entry — running the .AppImage file itself,
 * since the app runs from a temporary mount — and makes it the handler with
 * `xdg-mime`. Failures are logged; links are a convenience, the app works
 * without them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { PROTOCOL_SCHEME } from './deep-link.js';
import { desktopExecArgument } from './login-item.js';

export const APPIMAGE_DESKTOP_FILE = 'dev.keyhold.app-appimage.desktop';

export function appImageDesktopEntry(appImage: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Keyhold',
    'Comment=Keeps the API keys of MCP servers in the OS keychain',
    `Exec=${desktopExecArgument(appImage)} %u`,
    'Terminal=false',
    'NoDisplay=true',
    `MimeType=x-scheme-handler/${PROTOCOL_SCHEME};`,
    '',
  ].join('\n');
}

export interface AppImageLinkDeps {
  /** $APPIMAGE: the .AppImage file. */
  readonly appImage: string;
  /** $XDG_DATA_HOME, or ~/.local/share. */
  readonly dataHome: string;
  /** Runs a program (execFile); rejects when it fails. */
  readonly run: (file: string, args: readonly string[]) => Promise<void>;
  readonly log: (message: string) => void;
}

export async function registerAppImageLinks(deps: AppImageLinkDeps): Promise<void> {
  const applications = join(deps.dataHome, 'applications');
  try {
    mkdirSync(applications, { recursive: true, mode: 0o700 });
    writeFileSync(join(applications, APPIMAGE_DESKTOP_FILE), appImageDesktopEntry(deps.appImage), { mode: 0o644 });
    await deps.run('xdg-mime', ['default', APPIMAGE_DESKTOP_FILE, `x-scheme-handler/${PROTOCOL_SCHEME}`]);
  } catch (error) {
    deps.log(`could not register ${PROTOCOL_SCHEME}:// links for this AppImage: ${error instanceof Error ? error.message : String(error)}`);
  }
}
