#!/usr/bin/env node
// The Python bridge's checks (src/bridge-python), run by `npm test`:
// a venv in .venv-test/ (git-ignored) with src/bridge-python/requirements-test.txt
// from PyPI (reinstalled only when that file changes), then ruff, mypy --strict
// and pytest. Any non-zero exit fails, including pytest's 5 ("no tests
// collected"), so a suite that silently finds nothing cannot pass.
// Extra arguments go to pytest (`node scripts/test.mjs --only python -k discovery`).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = join(root, 'src', 'bridge-python');
const venv = join(root, '.venv-test');
const bin = (name) => join(venv, process.platform === 'win32' ? 'Scripts' : 'bin', name);
const requirements = join(pkg, 'requirements-test.txt');
const stamp = join(venv, '.requirements.sha256');

function run(label, command, args, cwd = pkg) {
  process.stdout.write(`\n▶ python: ${label}\n`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  if (result.status !== 0) {
    const why = result.status === 5 ? ' (pytest collected no tests)' : '';
    process.stdout.write(`✖ python: ${label} failed (exit ${result.status ?? result.signal})${why}\n`);
    process.exit(result.status === 0 || result.status === null ? 1 : result.status);
  }
}

const python = process.env.PYTHON ?? 'python3';
if (!existsSync(bin('python'))) {
  run('create .venv-test', python, ['-m', 'venv', venv], root);
}
const wanted = createHash('sha256').update(readFileSync(requirements)).digest('hex');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== wanted) {
  run('pip install (PyPI)', bin('python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements]);
  writeFileSync(stamp, wanted);
}
run('ruff check', bin('ruff'), ['check', '.']);
run('ruff format --check', bin('ruff'), ['format', '--check', '.']);
run('mypy --strict', bin('mypy'), ['--strict']);
run('pytest', bin('python'), ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...process.argv.slice(2)]);
