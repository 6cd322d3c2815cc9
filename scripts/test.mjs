#!/usr/bin/env node
// `npm test`: lint, typecheck, build, security check, then the unit, integration and electron suites on
// node's test runner. Integration tests need a Secret Service; when none is
// running for us, the suites run inside a throwaway D-Bus session with a fresh
// gnome-keyring (never the developer's own keyring).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const filters = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--only');

function run(label, command, commandArgs, env = {}) {
  process.stdout.write(`\n▶ ${label}\n`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    process.stdout.write(`✖ ${label} failed (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
}

function testFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d)) {
      const full = join(d, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith('.test.ts')) out.push(relative(root, full));
    }
  };
  walk(join(root, dir));
  return out.sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
}

if (only === undefined) {
  run('lint', 'npx', ['eslint', '.']);
  run('typecheck', 'npm', ['run', '--silent', 'typecheck']);
  run('build', 'npm', ['run', '--silent', 'build']);
  run('electron security check', 'npm', ['run', '--silent', 'security']);
} else {
  // Tests spawn bin/keyhold.mjs, which runs the bundle: never a stale one (esbuild, well under a second).
  run('build the CLI', process.execPath, ['scripts/build-cli.mjs']);
}

// python: the Python bridge (src/bridge-python) with its own linters and pytest, in a
// venv under .venv-test/ (scripts/python-suite.mjs); `--only python` runs just that.
function runPython() {
  const suite = [join(root, 'scripts', 'python-suite.mjs'), ...(filters.length > 0 ? ['-k', filters.join(' or ')] : [])];
  if (process.env.KEYHOLD_TEST_KEYRING === '1') run('python bridge', process.execPath, suite);
  else run('python bridge (inside a throwaway keyring session)', 'bash', [join(root, 'scripts', 'with-test-keyring.sh'), process.execPath, ...suite]);
}
if (only === 'python') {
  runPython();
  process.exit(0);
}

// electron: the built main process on a fake Electron, and the Playwright smoke
// suite, which runs only where the Electron binary is installed (else it says so and skips).
const suites = only === undefined ? ['unit', 'integration', 'electron'] : [only];
const files = suites.flatMap((s) => testFiles(join('test', s)));
if (files.length === 0) {
  process.stdout.write('no test files matched\n');
  process.exit(1);
}
const nodeArgs = ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=180000', ...files];
if (process.env.KEYHOLD_TEST_KEYRING === '1') {
  run(`tests (${files.length} files)`, process.execPath, nodeArgs);
} else {
  run(`tests (${files.length} files, inside a throwaway keyring session)`, 'bash', [
    join(root, 'scripts', 'with-test-keyring.sh'),
    process.execPath,
    ...nodeArgs,
  ]);
}
if (only === undefined) runPython();
