import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import {
  AUTOSTART_FILE_NAME,
  desktopExecArgument,
  electronLoginItem,
  linuxLoginCommand,
  LoginItemUnavailable,
  xdgAutostartLoginItem,
  type LoginItemSettingsApi,
} from '../../src/main/electron/login-item.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('start at login', () => {
  /** Electron's login item store, keyed (on Windows) by path + args as the real one is. */
  const fakeApp = (): LoginItemSettingsApi & { set: Array<{ openAtLogin: boolean; path?: string; args?: string[] }> } => {
    const entries = new Map<string, boolean>();
    const key = (o?: { path?: string; args?: string[] }): string => JSON.stringify([o?.path ?? '/opt/electron/electron', o?.args ?? []]);
    const set: Array<{ openAtLogin: boolean; path?: string; args?: string[] }> = [];
    return {
      set,
      getLoginItemSettings: (o) => ({ openAtLogin: entries.get(key(o)) ?? false }),
      setLoginItemSettings: (s) => {
        set.push(s);
        entries.set(key(s), s.openAtLogin);
      },
    };
  };
  const launch = { execPath: '/opt/electron/electron', appPath: '/home/me/keyhold' };

  it('macOS packaged: Electron login item settings (macOS passes no arguments; wasOpenedAtLogin says it)', () => {
    const app = fakeApp();
    const item = electronLoginItem(app, { ...launch, platform: 'darwin', isPackaged: true });
    assert.equal(item.get(), false);
    item.set(true);
    assert.equal(item.get(), true);
    assert.deepEqual(app.set, [{ openAtLogin: true }]);
    assert.equal(item.unavailableReason, undefined);
  });

  it('Windows development run: the login item runs Electron with the app path and --hidden, not the bare binary', () => {
    const app = fakeApp();
    const item = electronLoginItem(app, { ...launch, platform: 'win32', isPackaged: false });
    item.set(true);
    assert.deepEqual(app.set, [{ openAtLogin: true, path: '/opt/electron/electron', args: ['/home/me/keyhold', '--hidden'] }]);
    assert.equal(item.get(), true, 'read back with the same path and args');
  });

  it('Windows installed: Keyhold.exe --hidden', () => {
    const app = fakeApp();
    electronLoginItem(app, { execPath: 'C:\\Keyhold\\Keyhold.exe', appPath: 'C:\\Keyhold\\resources\\app.asar', platform: 'win32', isPackaged: true }).set(true);
    assert.deepEqual(app.set, [{ openAtLogin: true, path: 'C:\\Keyhold\\Keyhold.exe', args: ['--hidden'] }]);
  });

  it('macOS development run: unavailable, with the reason, and nothing registered', () => {
    const app = fakeApp();
    const item = electronLoginItem(app, { ...launch, platform: 'darwin', isPackaged: false });
    assert.match(item.unavailableReason ?? '', /development run/);
    assert.equal(item.get(), false);
    assert.throws(() => item.set(true), LoginItemUnavailable);
    assert.deepEqual(app.set, []);
  });

  it('Linux: the autostart command is the AppImage file, else the executable (+ app path in a dev run), always --hidden', () => {
    assert.deepEqual(linuxLoginCommand({ ...launch, platform: 'linux', isPackaged: true }, '/home/me/Keyhold.AppImage'), ['/home/me/Keyhold.AppImage', '--hidden']);
    assert.deepEqual(linuxLoginCommand({ ...launch, platform: 'linux', isPackaged: true }, undefined), ['/opt/electron/electron', '--hidden']);
    assert.deepEqual(linuxLoginCommand({ ...launch, platform: 'linux', isPackaged: false }, undefined), ['/opt/electron/electron', '/home/me/keyhold', '--hidden']);
  });

  it('Linux: an XDG autostart entry that runs the app, removed when turned off', async () => {
    const dir = await makeTempDir();
    try {
      const autostart = join(dir.path, 'autostart');
      const item = xdgAutostartLoginItem(autostart, ['/home/me/Apps/Keyhold 1.0.AppImage']);
      assert.equal(item.get(), false);
      item.set(true);
      assert.equal(item.get(), true);
      const file = join(autostart, AUTOSTART_FILE_NAME);
      const text = readFileSync(file, 'utf8');
      assert.match(text, /^\[Desktop Entry\]\nType=Application\nName=Keyhold\n/);
      assert.match(text, /\nExec="\/home\/me\/Apps\/Keyhold 1\.0\.AppImage"\n/);
      assert.equal(statSync(file).mode & 0o022, 0, 'not writable by others');
      item.set(false);
      assert.equal(item.get(), false);
      item.set(false);
    } finally {
      await dir.cleanup();
    }
  });

  it('quotes Exec arguments as the Desktop Entry spec asks', () => {
    assert.equal(desktopExecArgument('/usr/bin/keyhold'), '/usr/bin/keyhold');
    assert.equal(desktopExecArgument('/a b/c'), '"/a b/c"');
    assert.equal(desktopExecArgument('/a"$`\\b'), '"/a\\"\\$\\`\\\\b"');
    assert.equal(desktopExecArgument('50%'), '50%%');
    assert.equal(desktopExecArgument(''), '""');
  });
});
