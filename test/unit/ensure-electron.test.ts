/**
 * scripts/ensure-electron.mjs: `npm start` must fetch Electron however the
 * checkout path is spelled (Windows paths, spaces, non-ASCII, symlinks), and
 * must stop with the one-line fix when Chromium's sandbox cannot start
 * (Ubuntu >= 23.10's AppArmor switch without a set-up SUID helper).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { makeTempDir } from '../helpers/temp-dir.js';

interface SandboxFacts {
  platform: NodeJS.Platform;
  userNamespacesRestricted: boolean;
  sandboxHelper: { path: string; uid: number; mode: number } | undefined;
}
interface EnsureElectron {
  isRunAsScript(moduleUrl: string, argv1: string | undefined, options?: { platform?: NodeJS.Platform; realpath?: (path: string) => string }): boolean;
  sandboxProblem(facts: SandboxFacts): string | undefined;
}

const script = fileURLToPath(new URL('../../scripts/ensure-electron.mjs', import.meta.url));
// A variable specifier: the plain-JS script is loaded at run time, without type declarations.
const { isRunAsScript, sandboxProblem } = (await import(pathToFileURL(script).href)) as EnsureElectron;

describe('ensure-electron: is it run as a script?', () => {
  it('Windows: argv[1] is a C:\\ path, the module a file:/// URL with %20', () => {
    const url = 'file:///C:/Users/Jane%20Doe/src/keyhold/scripts/ensure-electron.mjs';
    const identity = (path: string): string => path;
    assert.equal(isRunAsScript(url, 'C:\\Users\\Jane Doe\\src\\keyhold\\scripts\\ensure-electron.mjs', { platform: 'win32', realpath: identity }), true);
    assert.equal(isRunAsScript(url, 'c:\\users\\jane doe\\src\\keyhold\\scripts\\ensure-electron.mjs', { platform: 'win32', realpath: identity }), true, 'NTFS ignores case');
    assert.equal(isRunAsScript(url, 'C:\\Users\\Jane Doe\\src\\keyhold\\bin\\keyhold.mjs', { platform: 'win32', realpath: identity }), false);
  });

  it('an imported module (argv[1] is another script, or none) is not run as a script', () => {
    assert.equal(isRunAsScript(pathToFileURL(script).href, fileURLToPath(import.meta.url)), false);
    assert.equal(isRunAsScript(pathToFileURL(script).href, undefined), false);
  });

  it('a checkout path with a space, a non-ASCII character and a symlink: the script fetches Electron', async () => {
    const temp = await makeTempDir('keyhold-ensure-');
    try {
      // The real checkout "Jane Doe/Schlüssel" (no Electron installed there), reached through the symlink "my link".
      const real = join(temp.path, 'Jane Doe', 'Schlüssel');
      mkdirSync(join(real, 'scripts'), { recursive: true });
      copyFileSync(script, join(real, 'scripts', 'ensure-electron.mjs'));
      symlinkSync(real, join(temp.path, 'my link'));
      const run = spawnSync(process.execPath, [join(temp.path, 'my link', 'scripts', 'ensure-electron.mjs')], { encoding: 'utf8', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
      // No electron package in that checkout: it tries to fetch it and says what to do when that fails.
      assert.match(run.stdout, /fetching the Electron binary/);
      assert.match(run.stderr, /could not download Electron/);
      assert.equal(run.status, 1);
    } finally {
      await temp.cleanup();
    }
  });
});

describe('ensure-electron: Chromium sandbox on Ubuntu >= 23.10 (AppArmor restricts user namespaces)', () => {
  const helper = (uid: number, mode: number) => ({ path: '/home/jane/My Code/keyhold/node_modules/electron/dist/chrome-sandbox', uid, mode: 0o100000 | mode });

  it('sandbox_never_disabled: restricted namespaces and a helper npm installed (user-owned 0755): the one-line chown/chmod fix', () => {
    const problem = sandboxProblem({ platform: 'linux', userNamespacesRestricted: true, sandboxHelper: helper(1000, 0o755) });
    assert.ok(problem !== undefined);
    assert.match(problem, /apparmor_restrict_unprivileged_userns = 1/);
    assert.ok(
      problem.includes(
        "sudo chown root:root '/home/jane/My Code/keyhold/node_modules/electron/dist/chrome-sandbox' && sudo chmod 4755 '/home/jane/My Code/keyhold/node_modules/electron/dist/chrome-sandbox'",
      ),
      problem,
    );
    assert.doesNotMatch(problem, /--no-sandbox/, 'never suggests turning the sandbox off');
  });

  it('root-owned but not setuid is still a problem; root-owned 4755 is fine', () => {
    assert.notEqual(sandboxProblem({ platform: 'linux', userNamespacesRestricted: true, sandboxHelper: helper(0, 0o755) }), undefined);
    assert.equal(sandboxProblem({ platform: 'linux', userNamespacesRestricted: true, sandboxHelper: helper(0, 0o4755) }), undefined);
  });

  it('namespaces not restricted, another OS, or no helper (binary not fetched): nothing to say', () => {
    assert.equal(sandboxProblem({ platform: 'linux', userNamespacesRestricted: false, sandboxHelper: helper(1000, 0o755) }), undefined);
    assert.equal(sandboxProblem({ platform: 'darwin', userNamespacesRestricted: true, sandboxHelper: helper(1000, 0o755) }), undefined);
    assert.equal(sandboxProblem({ platform: 'linux', userNamespacesRestricted: true, sandboxHelper: undefined }), undefined);
  });
});
