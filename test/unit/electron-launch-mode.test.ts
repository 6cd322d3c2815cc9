import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { applicationMenuTemplate, dataDirProblem, HIDDEN_FLAG, startsHidden } from '../../src/main/electron/launch-mode.js';

describe('launch mode', () => {
  it('a launch by the user is not hidden; --hidden (XDG autostart, Windows login item) is, on every platform', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      assert.equal(startsHidden(['/opt/Keyhold/keyhold'], platform, () => false), false, platform);
      assert.equal(startsHidden(['/opt/Keyhold/keyhold', HIDDEN_FLAG], platform, () => false), true, platform);
    }
  });

  it('macOS: a login item passes no arguments, so wasOpenedAtLogin decides; elsewhere it is not asked', () => {
    assert.equal(startsHidden(['/Applications/Keyhold.app/Contents/MacOS/Keyhold'], 'darwin', () => true), true);
    assert.equal(
      startsHidden(['C:\\Keyhold\\Keyhold.exe'], 'win32', () => {
        throw new Error('wasOpenedAtLogin is macOS only');
      }),
      false,
    );
  });

  it('macOS menu: app, Edit (copy/paste), Window — nothing that reloads or opens DevTools; no menu elsewhere', () => {
    const template = applicationMenuTemplate('darwin');
    assert.deepEqual(
      template?.map((item) => item.role),
      ['appMenu', 'editMenu', 'windowMenu'],
    );
    assert.equal(JSON.stringify(template).match(/reload|viewMenu|toggleDevTools/i), null);
    assert.equal(applicationMenuTemplate('linux'), null);
    assert.equal(applicationMenuTemplate('win32'), null);
  });

  it('a relative KEYHOLD_HOME is refused with the variable, its value and how to fix it', () => {
    assert.equal(dataDirProblem('/home/me/.config/Keyhold', true), undefined);
    assert.match(dataDirProblem('keyhold-data', true) ?? '', /^KEYHOLD_HOME is "keyhold-data", a relative path\. Set it to an absolute path/);
  });
});
