import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { resolveDataDir } from '../../src/shared/data-dir.js';

describe('data dir', () => {
  it('KEYHOLD_HOME wins everywhere', () => {
    assert.equal(resolveDataDir({ env: { KEYHOLD_HOME: '/x/kh' }, platform: 'darwin', home: '/Users/u' }), '/x/kh');
  });
  it('follows each platform’s app-data convention (the same dir Electron uses for userData)', () => {
    assert.equal(resolveDataDir({ env: {}, platform: 'linux', home: '/home/u' }), '/home/u/.config/Keyhold');
    assert.equal(resolveDataDir({ env: { XDG_CONFIG_HOME: '/cfg' }, platform: 'linux', home: '/home/u' }), '/cfg/Keyhold');
    assert.equal(resolveDataDir({ env: { XDG_CONFIG_HOME: 'relative' }, platform: 'linux', home: '/home/u' }), '/home/u/.config/Keyhold');
    assert.equal(resolveDataDir({ env: {}, platform: 'darwin', home: '/Users/u' }), '/Users/u/Library/Application Support/Keyhold');
    assert.match(resolveDataDir({ env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\u' }), /Roaming.Keyhold$/);
  });
});
