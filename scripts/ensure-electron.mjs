#!/usr/bin/env node
// `npm start` runs this first. Electron (>= 45) has no install script: it
// downloads its binary the first time `require('electron')` runs. Do that here,
// with a message a newcomer understands if the download fails.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The Electron binary's path when it is installed, without triggering a download. */
export function installedElectronBinary() {
  try {
    const dir = dirname(require.resolve('electron/package.json'));
    const relative = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
    const binary = join(dir, 'dist', relative);
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

if (import.meta.url === `file://${process.argv[1]}` && installedElectronBinary() === undefined) {
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
