/**
 * The packaging config (build/electron-builder.yml + package.json) against
 * what Electron 45 and electron-builder 26 do with it on each OS: the
 * keyhold:// scheme reaches every installer, windows are associated with
 * their launcher on Linux, the package carries no build-time dependencies,
 * and every tray icon main asks for is in the package.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { minimatch } from 'minimatch';

import { trayIconFile } from '../../src/main/electron/tray.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { load } = createRequire(import.meta.url)('js-yaml') as { load: (text: string) => unknown };

interface BuilderConfig {
  files: string[];
  protocols: Array<{ schemes: string[] }>;
  linux: { executableName?: string; syncDesktopName?: boolean; desktop?: { entry?: Record<string, string> } };
  nsis: { include?: string; perMachine?: boolean };
  mac: { notarize?: boolean; hardenedRuntime?: boolean };
}
const config = load(readFileSync(join(root, 'build/electron-builder.yml'), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { desktopName?: string; dependencies: Record<string, string> };

/**
 * Whether electron-builder's `files` keeps this path: production node_modules
 * are added by electron-builder unless a pattern excludes them; anything else
 * only when a pattern names it. The last matching pattern decides.
 */
function packaged(path: string): boolean {
  let kept = path.startsWith('node_modules/');
  for (const pattern of config.files) {
    const negated = pattern.startsWith('!');
    if (minimatch(path, negated ? pattern.slice(1) : pattern, { dot: true })) kept = !negated;
  }
  return kept;
}

describe('packaging config', () => {
  it('Linux: desktopName keyhold.desktop = Electron 45 app_id/WM_CLASS "keyhold"; no StartupWMClass override', () => {
    assert.equal(pkg.desktopName, 'keyhold.desktop');
    assert.equal(config.linux.executableName, 'keyhold');
    assert.equal(config.linux.syncDesktopName, true);
    assert.equal(config.linux.desktop?.entry?.['StartupWMClass'], undefined);
  });

  it('Windows: the NSIS installer registers keyhold:// for the user and the uninstaller removes it', () => {
    assert.deepEqual(config.protocols.flatMap((p) => p.schemes), ['keyhold']);
    assert.equal(config.nsis.perMachine, false);
    const include = config.nsis.include;
    assert.ok(include !== undefined && existsSync(join(root, include)), 'nsis.include exists');
    const script = readFileSync(join(root, include), 'utf8');
    assert.match(script, /!macro customInstall[\s\S]*WriteRegStr HKCU "Software\\Classes\\keyhold" "URL Protocol" ""[\s\S]*shell\\open\\command[\s\S]*!macroend/);
    assert.match(script, /!macro customUnInstall\s+DeleteRegKey HKCU "Software\\Classes\\keyhold"\s+!macroend/);
  });

  it('macOS: hardened runtime and notarisation on (they need CSC_LINK / APPLE_* at build time)', () => {
    assert.equal(config.mac.hardenedRuntime, true);
    assert.equal(config.mac.notarize, true);
  });

  it('the package leaves out what the app does not load at run time (React, tsx, esbuild, the bridge workspace)', () => {
    for (const dependency of ['react', 'react-dom', 'dompurify', 'marked', 'tsx', 'esbuild', '@esbuild/linux-x64', '@keyhold/bridge', '@modelcontextprotocol/sdk']) {
      assert.equal(packaged(`node_modules/${dependency}/package.json`), false, dependency);
    }
    for (const needed of ['ws', 'zod', '@napi-rs/keyring']) assert.equal(packaged(`node_modules/${needed}/package.json`), true, needed);
  });

  it('what the built main process imports at run time is packaged', { skip: !existsSync(join(root, 'out/main/index.js')) && 'run `npm run build` first' }, () => {
    const bundle = readFileSync(join(root, 'out/main/index.js'), 'utf8');
    const bare = new Set([...bundle.matchAll(/(?:from |import\()"([^".][^"]*)"/g)].map((m) => m[1] ?? '').filter((s) => !s.startsWith('node:') && s !== 'electron'));
    assert.deepEqual([...bare].sort(), ['@napi-rs/keyring', 'ws', 'zod']);
    for (const dependency of bare) assert.equal(packaged(`node_modules/${dependency}/package.json`), true, dependency);
  });

  it('every tray icon main asks for is packaged', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const file = `build/${trayIconFile(platform)}`;
      assert.equal(packaged(file), true, file);
      assert.ok(existsSync(join(root, file)), file);
    }
  });
});
