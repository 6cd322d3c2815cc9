import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { APPIMAGE_DESKTOP_FILE, appImageDesktopEntry, registerAppImageLinks } from '../../src/main/electron/appimage-links.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('AppImage: keyhold:// links', () => {
  it('writes a user desktop entry that runs the .AppImage file with the link, and makes it the handler', async () => {
    const dir = await makeTempDir();
    try {
      const runs: Array<[string, readonly string[]]> = [];
      const logs: string[] = [];
      await registerAppImageLinks({ appImage: '/home/me/Apps/Keyhold 1.0 100%.AppImage', dataHome: dir.path, run: async (f, a) => void runs.push([f, a]), log: (m) => logs.push(m) });
      const entry = readFileSync(join(dir.path, 'applications', APPIMAGE_DESKTOP_FILE), 'utf8');
      assert.equal(entry, appImageDesktopEntry('/home/me/Apps/Keyhold 1.0 100%.AppImage'));
      assert.match(entry, /^Exec="\/home\/me\/Apps\/Keyhold 1\.0 100%%\.AppImage" %u$/m);
      assert.match(entry, /^MimeType=x-scheme-handler\/keyhold;$/m);
      assert.deepEqual(runs, [['xdg-mime', ['default', APPIMAGE_DESKTOP_FILE, 'x-scheme-handler/keyhold']]]);
      assert.deepEqual(logs, []);
    } finally {
      await dir.cleanup();
    }
  });

  it('a missing xdg-mime is logged, not thrown', async () => {
    const dir = await makeTempDir();
    try {
      const logs: string[] = [];
      await registerAppImageLinks({
        appImage: '/a.AppImage',
        dataHome: dir.path,
        run: async () => {
          throw new Error('spawn xdg-mime ENOENT');
        },
        log: (m) => logs.push(m),
      });
      assert.deepEqual(logs, ['could not register keyhold:// links for this AppImage: spawn xdg-mime ENOENT']);
    } finally {
      await dir.cleanup();
    }
  });
});
