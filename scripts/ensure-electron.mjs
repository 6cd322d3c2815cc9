#!/usr/bin/env node
// `npm start` and `npm run dev` run this first. Electron (>= 45) has no install
// script: it downloads its binary the first time `require('electron')` runs. Do
// that here, with a message a newcomer understands if the download fails. Then,
// on Linux, check that Chromium's sandbox can start (Ubuntu >= 23.10 restricts
// unprivileged user namespaces with AppArmor, and then needs the SUID helper):
// when it cannot, print the one-line fix and stop — never run without the sandbox.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** node_modules/electron, or undefined when the package is not installed. */
function electronPackageDir() {
  try {
    return dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

/** The Electron binary's path when it is installed, without triggering a download. */
export function installedElectronBinary() {
  const dir = electronPackageDir();
  if (dir === undefined) return undefined;
  try {
    const relative = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
    const binary = join(dir, 'dist', relative);
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when the module at `moduleUrl` is the script node was asked to run
 * (`argv1`). Compared as file paths, not strings: on Windows argv[1] is
 * `C:\…` while the URL is `file:///C:/…`; a space or a non-ASCII character is
 * percent-encoded in the URL only; and node resolves a symlinked script to its
 * real path for `import.meta.url` but not in argv[1].
 */
export function isRunAsScript(moduleUrl, argv1, { platform = process.platform, realpath = realpathSync.native } = {}) {
  if (typeof argv1 !== 'string' || argv1 === '') return false;
  const windows = platform === 'win32';
  const paths = windows ? win32 : posix;
  const real = (path) => {
    try {
      return realpath(path);
    } catch {
      return path;
    }
  };
  const modulePath = real(fileURLToPath(moduleUrl, { windows }));
  const scriptPath = real(paths.resolve(argv1));
  // NTFS and APFS (by default) ignore case; two spellings of one path are the same file.
  return windows || platform === 'darwin' ? modulePath.toLowerCase() === scriptPath.toLowerCase() : modulePath === scriptPath;
}

/** The kernel switch Ubuntu >= 23.10 turns on: unprivileged user namespaces only for AppArmor-profiled programs. */
export const APPARMOR_USERNS_SWITCH = '/proc/sys/kernel/apparmor_restrict_unprivileged_userns';

/**
 * Why Chromium's sandbox will abort at launch ("The SUID sandbox helper binary
 * was found, but is not configured correctly"), with the one-line fix; undefined
 * when it can start. Linux only: the sandbox cannot use user namespaces (the
 * AppArmor switch is 1) and `chrome-sandbox` is not root-owned with mode 4755.
 */
export function sandboxProblem({ platform, userNamespacesRestricted, sandboxHelper }) {
  if (platform !== 'linux' || !userNamespacesRestricted || sandboxHelper === undefined) return undefined;
  const { path, uid, mode } = sandboxHelper;
  if (uid === 0 && (mode & 0o7777) === 0o4755) return undefined;
  const quoted = /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
  return [
    'Keyhold: Chromium\'s sandbox cannot start here: this Linux restricts unprivileged user namespaces',
    `(${APPARMOR_USERNS_SWITCH} = 1, as Ubuntu 23.10 and later do), so Electron needs its SUID sandbox helper,`,
    'which npm installed without root. Fix it once for this checkout (Keyhold never turns the sandbox off):',
    '',
    `  sudo chown root:root ${quoted} && sudo chmod 4755 ${quoted}`,
    '',
  ].join('\n');
}

/** What `sandboxProblem` needs, read from this machine. */
export function sandboxFacts(electronDir = electronPackageDir()) {
  let userNamespacesRestricted = false;
  try {
    userNamespacesRestricted = readFileSync(APPARMOR_USERNS_SWITCH, 'utf8').trim() === '1';
  } catch {
    // No such switch: user namespaces are not restricted by AppArmor.
  }
  let sandboxHelper;
  if (electronDir !== undefined) {
    const path = join(electronDir, 'dist', 'chrome-sandbox');
    try {
      const stat = statSync(path);
      sandboxHelper = { path, uid: stat.uid, mode: stat.mode };
    } catch {
      sandboxHelper = undefined;
    }
  }
  return { platform: process.platform, userNamespacesRestricted, sandboxHelper };
}

if (isRunAsScript(import.meta.url, process.argv[1])) {
  if (installedElectronBinary() === undefined) {
    process.stdout.write('Keyhold: fetching the Electron binary (first start only)…\n');
    try {
      require('electron');
    } catch {
      process.stderr.write(
        'Keyhold: could not download Electron. Check your network, then run `npm start` again.\n' +
          'Without a desktop, `npx keyhold serve` runs Keyhold in a terminal instead.\n',
      );
      process.exit(1);
    }
  }
  const problem = sandboxProblem(sandboxFacts());
  if (problem !== undefined) {
    process.stderr.write(problem);
    process.exit(1);
  }
}
