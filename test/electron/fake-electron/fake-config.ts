/**
 * How a fake-Electron run behaves, from its environment (set by the test):
 *
 *  - FAKE_ELECTRON_PLATFORM   linux | darwin | win32 (register.mjs sets process.platform)
 *  - FAKE_ELECTRON_PACKAGED   1: app.isPackaged is true, as in an installed build
 *  - FAKE_ELECTRON_APP_PATH   app.getAppPath() (default: the working directory)
 *  - FAKE_ELECTRON_READY      never: no window ever emits `ready-to-show` (a GPU
 *                             process that hangs, a page that never paints)
 *  - FAKE_ELECTRON_FOCUS      refused: focus() cannot take the foreground (Windows'
 *                             foreground lock, GNOME/KDE focus-stealing prevention)
 *  - FAKE_ELECTRON_OPENED_AT_LOGIN  1: macOS reports wasOpenedAtLogin
 */
export const config = {
  platform: process.platform,
  isPackaged: process.env['FAKE_ELECTRON_PACKAGED'] === '1',
  appPath: process.env['FAKE_ELECTRON_APP_PATH'] ?? process.cwd(),
  neverReady: process.env['FAKE_ELECTRON_READY'] === 'never',
  focusRefused: process.env['FAKE_ELECTRON_FOCUS'] === 'refused',
  openedAtLogin: process.env['FAKE_ELECTRON_OPENED_AT_LOGIN'] === '1',
} as const;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Electron defines `process.resourcesPath` in every run: the folder that holds
 * `app.asar` and the `extraResources` of an installed build (Contents/Resources
 * on macOS, resources/ beside the binary elsewhere); in a development run, the
 * Electron binary's own resources folder. The fake does the same, with the
 * packaged layout `<install>/resources` that electron-builder produces.
 */
(process as { resourcesPath?: string }).resourcesPath = `${config.appPath.replace(/[\\/]+$/, '')}/resources`;
