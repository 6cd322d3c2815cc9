import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { configExample, keyholdCommandLine } from '../../src/main/cli/keyhold-command.js';

const linux = { platform: 'linux' as const, electron: undefined };

describe('how configs start keyhold', () => {
  it('from a checkout: this node and the bin script, absolute', () => {
    assert.deepEqual(keyholdCommandLine({}, 'bin/keyhold.mjs', '/usr/bin/node', linux), { command: '/usr/bin/node', args: [`${process.cwd()}/bin/keyhold.mjs`] });
  });

  it('through the packaged launcher: the path it was invoked by', () => {
    assert.deepEqual(keyholdCommandLine({ KEYHOLD_LAUNCHER: '/home/u/.local/bin/keyhold' }, '/opt/Keyhold/resources/cli/keyhold.mjs', '/opt/Keyhold/keyhold', { platform: 'linux', electron: '45.0.0' }), {
      command: '/home/u/.local/bin/keyhold',
      args: [],
    });
  });

  it('Windows on the app binary: Keyhold.exe with the CLI and Node mode in the env (a .cmd needs a shell MCP clients do not use)', () => {
    const line = keyholdCommandLine({ KEYHOLD_LAUNCHER: 'C:\\K\\resources\\cli\\keyhold.cmd' }, 'C:\\K\\resources\\cli\\keyhold.mjs', 'C:\\K\\Keyhold.exe', { platform: 'win32', electron: '45.0.0' });
    assert.equal(line.command, 'C:\\K\\Keyhold.exe');
    assert.deepEqual(line.env, { ELECTRON_RUN_AS_NODE: '1' });
    assert.match(configExample(line, ['run'], { A: 'keyhold://s/A' }), /"env": \{ "ELECTRON_RUN_AS_NODE": "1", "A": "keyhold:\/\/s\/A" \}/);
  });
});
