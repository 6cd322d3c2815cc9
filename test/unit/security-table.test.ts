/**
 * SECURITY.md's threat table is a promise: every row names the test that
 * shows its defence holds. This keeps the promise checkable — a row without a
 * threat name, or a name no test carries (renamed, deleted), fails here.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { REPO_ROOT } from '../helpers/spawn-serve.js';

/** Where tests live: the TypeScript suites and the Python bridge's. */
const TEST_ROOTS = ['test', join('src', 'bridge-python', 'tests')];
const TEST_FILE = /\.(ts|tsx|mjs|py)$/;
/** A threat name: snake_case in backticks, at least one underscore (`dns_rebinding`). */
const THREAT_NAME = /`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`/g;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : filesUnder(path);
      return TEST_FILE.test(entry.name) ? [path] : [];
    }),
  );
  return nested.flat();
}

/** The first column of every row of the table under "## Threats and defences". */
function threatRows(markdown: string): string[] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('Threats and defences'));
  assert.ok(section, 'SECURITY.md has a "Threats and defences" section');
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| threat') && !/^\|\s*-/.test(line))
    .map((line) => line.split('|')[1] ?? '');
}

describe('SECURITY.md threat table', () => {
  it('every row names at least one threat test, and every name is carried by a test', async () => {
    const rows = threatRows(await readFile(join(REPO_ROOT, 'SECURITY.md'), 'utf8'));
    assert.ok(rows.length >= 40, `the table has its rows (found ${rows.length})`);
    const files = (await Promise.all(TEST_ROOTS.map((root) => filesUnder(join(REPO_ROOT, root))))).flat();
    const tests = (await Promise.all(files.map((file) => readFile(file, 'utf8')))).join('\n');
    const unnamed = rows.filter((row) => [...row.matchAll(THREAT_NAME)].length === 0);
    assert.deepEqual(unnamed, [], 'rows without a threat name');
    const names = new Set(rows.flatMap((row) => [...row.matchAll(THREAT_NAME)].map((match) => match[1] ?? '')));
    const untested = [...names].filter((name) => !tests.includes(name));
    assert.deepEqual(untested, [], 'threat names no test carries');
  });

  it('finds rows and their names the way the table writes them', () => {
    const rows = threatRows('# x\n## Threats and defences\n| threat (test name) | defence |\n|---|---|\n| A thing (`a_thing`, `b_c`) | d |\n| Other | e |\n## Next\n| Not (`in_table`) | f |\n');
    assert.deepEqual(rows, [' A thing (`a_thing`, `b_c`) ', ' Other ']);
    assert.deepEqual([...(rows[0] ?? '').matchAll(THREAT_NAME)].map((m) => m[1]), ['a_thing', 'b_c']);
  });
});
