import assert from 'node:assert/strict';
import { mkdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { createCommandInstaller, shellQuote, type CommandInstallerDeps } from '../../src/main/command-install/command-installer.js';
import { appleScriptString } from '../../src/main/command-install/system-calls.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const refuse = async (): Promise<never> => {
  throw new Error('not on this platform');
};

function linuxDeps(home: string, env: Record<string, string> = {}): CommandInstallerDeps {
  return { platform: 'linux', home, cliDir: '/opt/Keyhold/resources/cli', env: { PATH: `${join(home, '.local', 'bin')}:/usr/bin`, ...env }, runAsAdmin: refuse, userPath: { get: refuse, set: refuse } };
}

describe('command installer', () => {
  it('Linux: links ~/.local/bin/keyhold to the launcher, and removes only that link', async (t) => {
    const home = await makeTempDir('keyhold-cmd-');
    t.after(() => home.cleanup());
    const installer = createCommandInstaller(linuxDeps(home.path));
    const link = join(home.path, '.local', 'bin', 'keyhold');
    assert.deepEqual(await installer.status(), { state: 'not_installed', path: link });
    assert.deepEqual(await installer.install(), { state: 'installed', path: link });
    assert.equal(readlinkSync(link), '/opt/Keyhold/resources/cli/keyhold');
    assert.deepEqual(await installer.install(), { state: 'installed', path: link }, 'installing twice changes nothing');
    assert.deepEqual(await installer.remove(), { state: 'not_installed', path: link });
  });

  it('Linux: says when ~/.local/bin is not on PATH', async (t) => {
    const home = await makeTempDir('keyhold-cmd-');
    t.after(() => home.cleanup());
    const status = await createCommandInstaller(linuxDeps(home.path, { PATH: '/usr/bin' })).install();
    assert.equal(status.state, 'installed');
    assert.match(status.detail ?? '', /\.local\/bin is not on the PATH/);
  });

  it('never replaces or removes a keyhold that is not Keyhold\'s', async (t) => {
    const home = await makeTempDir('keyhold-cmd-');
    t.after(() => home.cleanup());
    const bin = join(home.path, '.local', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'keyhold'), '#!/bin/sh\necho other\n');
    const installer = createCommandInstaller(linuxDeps(home.path));
    assert.equal((await installer.install()).state, 'conflict');
    assert.equal((await installer.remove()).state, 'conflict');
  });

  it('Linux AppImage: unavailable, with why', async () => {
    const status = await createCommandInstaller(linuxDeps('/nonexistent', { APPIMAGE: '/home/u/Keyhold.AppImage' })).install();
    assert.equal(status.state, 'unavailable');
    assert.match(status.detail ?? '', /AppImage/);
  });

  it('macOS: links /usr/local/bin/keyhold through the admin prompt, with the paths shell-quoted', async () => {
    const commands: string[] = [];
    const installer = createCommandInstaller({
      platform: 'darwin',
      home: '/Users/u',
      cliDir: "/Applications/Key hold's.app/Contents/Resources/cli",
      env: {},
      runAsAdmin: async (command) => void commands.push(command),
      userPath: { get: refuse, set: refuse },
    });
    await installer.install();
    assert.deepEqual(commands, [`/bin/mkdir -p /usr/local/bin && /bin/ln -s '/Applications/Key hold'\\''s.app/Contents/Resources/cli/keyhold' '/usr/local/bin/keyhold'`]);
    assert.equal(appleScriptString('a "b" \\c'), '"a \\"b\\" \\\\c"');
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
  });

  it('Windows: adds the cli folder to the user PATH once, and removes only it', async () => {
    let userPath = 'C:\\Tools;C:\\Other\\';
    const installer = createCommandInstaller({
      platform: 'win32',
      home: 'C:\\Users\\u',
      cliDir: 'C:\\Users\\u\\AppData\\Local\\Programs\\Keyhold\\resources\\cli',
      env: {},
      runAsAdmin: refuse,
      userPath: { get: async () => userPath, set: async (value) => void (userPath = value) },
    });
    assert.equal((await installer.status()).state, 'not_installed');
    assert.equal((await installer.install()).state, 'installed');
    await installer.install();
    assert.equal(userPath, 'C:\\Tools;C:\\Other\\;C:\\Users\\u\\AppData\\Local\\Programs\\Keyhold\\resources\\cli');
    assert.equal((await installer.remove()).state, 'not_installed');
    assert.equal(userPath, 'C:\\Tools;C:\\Other\\');
  });
});
