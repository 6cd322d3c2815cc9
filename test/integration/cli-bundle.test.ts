/**
 * The shipped CLI (issue 13): `npm run build` bundles it into out/cli/, and
 * bin/keyhold.mjs runs that bundle with plain node — no TypeScript loader at
 * run time (tsx cost ~650 ms on every MCP server start). `npm test` builds
 * before the suites; `--only` runs rebuild the CLI (scripts/test.mjs).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';

import packageJson from '../../package.json' with { type: 'json' };
import { REPO_ROOT } from '../helpers/spawn-serve.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const BIN = join(REPO_ROOT, 'bin/keyhold.mjs');
const RECORDER = join(REPO_ROOT, 'test/fixtures/record-loaded-modules.mjs');
const CLI_OUT = join(REPO_ROOT, 'out/cli');

/** Runs the bin with every loaded module recorded; returns its output and the module URLs/paths. */
async function runRecorded(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; modules: string[] }> {
  const dir = await makeTempDir('keyhold-modules-');
  try {
    const log = join(dir.path, 'modules.txt');
    const base = { ...process.env };
    delete base['KEYHOLD_CLI_FROM_SOURCE'];
    const result = spawnSync(process.execPath, ['--import', RECORDER, BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...base, ...env, KEYHOLD_TEST_MODULE_LOG: log },
      encoding: 'utf8',
    });
    return { status: result.status, stdout: result.stdout, modules: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
  } finally {
    await dir.cleanup();
  }
}

const fromTsx = (modules: string[]): string[] => modules.filter((m) => /[\\/]node_modules[\\/]tsx[\\/]/.test(m) || /\.tsx?$/.test(m));

function bundleFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? bundleFiles(join(dir, entry.name)) : entry.name.endsWith('.mjs') ? [join(dir, entry.name)] : [],
  );
}

describe('the bundled keyhold CLI', () => {
  it('answers --version with the app version and loads no tsx module', async () => {
    const run = await runRecorded(['--version']);
    assert.equal(run.status, 0);
    assert.equal(run.stdout, `keyhold ${packageJson.version}\n`);
    assert.ok(run.modules.some((m) => m.includes('/out/cli/keyhold.mjs')), 'the bundle ran');
    assert.deepEqual(fromTsx(run.modules), []);
  });

  it('runs a command (help of run) without tsx either', async () => {
    const run = await runRecorded(['run', '--help']);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /Usage: keyhold run/);
    assert.deepEqual(fromTsx(run.modules), []);
  });

  it('the module recorder does see tsx when the CLI runs from source (the check can fail)', async () => {
    const run = await runRecorded(['--version'], { KEYHOLD_CLI_FROM_SOURCE: '1' });
    assert.equal(run.status, 0);
    assert.notDeepEqual(fromTsx(run.modules), []);
  });

  it('imports only node built-ins and runtime dependencies, so a clone with `npm install` runs it', () => {
    const allowed = new Set(Object.keys(packageJson.dependencies));
    const imported = new Set<string>();
    for (const file of bundleFiles(CLI_OUT)) {
      const text = readFileSync(file, 'utf8');
      // Specifiers only (a package name or node:…), so that a string "import" in the code is not taken for one.
      for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']((?:@[\w.-]+\/)?[\w-][\w.-]*(?:\/[\w.-]+)*|node:[\w/]+)["']/g)) imported.add(match[1] ?? '');
    }
    const packages = [...imported].filter((specifier) => !specifier.startsWith('node:'));
    assert.ok(imported.has('node:module'), 'the scan finds imports at all');
    for (const specifier of packages) {
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? '');
      assert.ok(allowed.has(name), `${specifier} is not a runtime dependency`);
    }
  });

  it('run --help shows configs with the absolute path of this keyhold, never `npx keyhold`', async () => {
    const run = await runRecorded(['run', '--help']);
    assert.match(run.stdout, new RegExp(`"command": ${JSON.stringify(process.execPath).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.ok(run.stdout.includes(JSON.stringify(BIN)), 'the bin script, absolute');
    assert.doesNotMatch(run.stdout, /"npx",\s*"args":\s*\["keyhold"/);
  });
});

/** Copies the bundled CLI and the launcher into `cli` (resources/cli of a packaged app). */
function installCli(cli: string): void {
  mkdirSync(cli, { recursive: true });
  cpSync(CLI_OUT, cli, { recursive: true });
  cpSync(join(REPO_ROOT, 'build/cli/keyhold'), join(cli, 'keyhold'));
}

/** An executable shell script at `path`. */
function writeScript(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}`);
  chmodSync(path, 0o755);
}

describe('the packaged app\'s keyhold launcher (build/cli/keyhold)', () => {
  it('runs the bundled CLI with the app binary in Node mode, through a PATH symlink, names itself in run --help, and does not pass Node mode on (electron_run_as_node_inherited)', async (t) => {
    if (process.platform === 'win32') return t.skip('the POSIX launcher');
    const dir = await makeTempDir('keyhold-launcher-');
    t.after(() => dir.cleanup());
    // The packaged layout (Linux): <app>/keyhold (the Electron binary), <app>/resources/cli/{keyhold,keyhold.mjs,chunks}.
    const app = join(dir.path, 'opt', 'Keyhold');
    const cli = join(app, 'resources', 'cli');
    installCli(cli);
    // A stand-in for the Electron binary: in Node mode it runs the script it is given, as Electron does, and
    // says so in process.versions.electron; otherwise it would start the GUI.
    const asElectron = `data:text/javascript,Object.defineProperty(process.versions,'electron',{value:'45.0.0',enumerable:true})`;
    writeScript(join(app, 'keyhold'), `[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo "GUI started" >&2; exit 99; }\nexec ${JSON.stringify(process.execPath)} --import "${asElectron}" "$@"\n`);
    const bin = join(dir.path, 'home', '.local', 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(join(cli, 'keyhold'), join(bin, 'keyhold'));
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` };
    delete env['ELECTRON_RUN_AS_NODE'];

    const version = spawnSync('keyhold', ['--version'], { env, encoding: 'utf8' });
    assert.equal(version.stderr, '');
    assert.equal(version.stdout, `keyhold ${packageJson.version}\n`);
    const help = spawnSync('keyhold', ['run', '--help'], { env, encoding: 'utf8' });
    assert.ok(help.stdout.includes(`"command": ${JSON.stringify(join(bin, 'keyhold'))}`), help.stdout);
    // Node mode is not passed on to the commands keyhold run starts.
    const child = spawnSync('keyhold', ['run', '--', process.execPath, '-e', 'process.stdout.write(String(process.env.ELECTRON_RUN_AS_NODE))'], { env, encoding: 'utf8' });
    assert.equal(child.stdout, 'undefined');
  });

  it('macOS layout (Keyhold.app/Contents): runs the CLI with the node on PATH, never the app binary in Node mode', async (t) => {
    if (process.platform === 'win32') return t.skip('the POSIX launcher');
    const dir = await makeTempDir('keyhold-launcher-mac-');
    t.after(() => dir.cleanup());
    const contents = join(dir.path, 'Keyhold.app', 'Contents');
    const cli = join(contents, 'Resources', 'cli');
    mkdirSync(join(contents, 'MacOS'), { recursive: true });
    // The app binary: its RunAsNode fuse is off on macOS, so the launcher must not use it.
    writeScript(join(contents, 'MacOS', 'Keyhold'), 'echo "app binary started" >&2\nexit 99\n');
    installCli(cli);
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(process.execPath)}:/usr/bin:/bin` };
    const version = spawnSync(join(cli, 'keyhold'), ['--version'], { env, encoding: 'utf8' });
    assert.equal(version.stderr, '');
    assert.equal(version.stdout, `keyhold ${packageJson.version}\n`);
  });
});

