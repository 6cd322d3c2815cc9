import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { AUTOSTART_FILE_NAME, desktopExecArgument, electronLoginItem, xdgAutostartLoginItem } from '../../src/main/electron/login-item.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('start at login', () => {
  it('macOS/Windows: Electron login item settings', () => {
    let openAtLogin = false;
    const item = electronLoginItem({ getLoginItemSettings: () => ({ openAtLogin }), setLoginItemSettings: (s) => (openAtLogin = s.openAtLogin) });
    assert.equal(item.get(), false);
    item.set(true);
    assert.equal(openAtLogin, true);
    assert.equal(item.get(), true);
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
