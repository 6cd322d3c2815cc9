/**
 * src/main/core/activity-files.ts: one stream of the activity log on disk,
 * with rotation — and never through a symlink (activity_log_symlink_planted).
 */
import assert from 'node:assert/strict';
import { lstat, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { ActivityFile } from '../../src/main/core/activity-files.js';
import { makeTempDir } from '../helpers/temp-dir.js';

async function withDirs(body: (dir: string, outside: string) => Promise<void>): Promise<void> {
  const dir = await makeTempDir();
  const outside = await makeTempDir('keyhold-outside-');
  try {
    await body(dir.path, outside.path);
  } finally {
    await dir.cleanup();
    await outside.cleanup();
  }
}

describe('activity files', () => {
  it('appends whole lines, 0600, and rotates to one older generation past maxBytes', async () => {
    await withDirs(async (dir) => {
      const file = new ActivityFile({ dataDir: dir, baseName: 'activity', maxBytes: 10 });
      await file.append('one\n');
      await file.append('two\n');
      await file.append('three\n');
      assert.equal(await readFile(join(dir, 'activity.jsonl'), 'utf8'), 'three\n');
      assert.equal(await readFile(join(dir, 'activity.1.jsonl'), 'utf8'), 'one\ntwo\n');
      assert.equal((await lstat(join(dir, 'activity.jsonl'))).mode & 0o777, 0o600);
      assert.deepEqual(await file.lines(), ['one', 'two', 'three']);
    });
  });

  it('activity_log_symlink_planted: a link at the active file is moved aside, never followed; logging goes on', async () => {
    await withDirs(async (dir, outside) => {
      const target = join(outside, 'bashrc');
      await writeFile(target, 'untouched\n');
      await symlink(target, join(dir, 'activity.jsonl'));
      const told: string[] = [];
      const file = new ActivityFile({ dataDir: dir, baseName: 'activity', maxBytes: 1_000, log: (m) => told.push(m) });
      assert.deepEqual(await file.lines(), [], 'reading does not follow the link either');
      await file.append('decision\n');
      assert.equal(await readFile(target, 'utf8'), 'untouched\n');
      assert.equal(await readFile(join(dir, 'activity.jsonl'), 'utf8'), 'decision\n');
      assert.ok((await lstat(join(dir, 'activity.jsonl'))).isFile());
      const aside = (await readdir(dir)).filter((name) => name.startsWith('activity.jsonl.symlink-'));
      assert.equal(aside.length, 1, 'the link is kept aside for inspection');
      assert.match(told.join('\n'), /was a symbolic link; it was moved to .*never followed/);
    });
  });

  it('activity_log_symlink_planted: a link at the rotated file is replaced by the rotation, not written through', async () => {
    await withDirs(async (dir, outside) => {
      const target = join(outside, 'authorized_keys');
      await writeFile(target, 'untouched\n');
      await symlink(target, join(dir, 'activity.1.jsonl'));
      const file = new ActivityFile({ dataDir: dir, baseName: 'activity', maxBytes: 8 });
      assert.deepEqual(await file.lines(), []);
      await file.append('first\n');
      await file.append('second\n');
      assert.equal(await readFile(target, 'utf8'), 'untouched\n');
      assert.ok((await lstat(join(dir, 'activity.1.jsonl'))).isFile(), 'the rotated file is a file now');
      assert.deepEqual(await file.lines(), ['first', 'second']);
    });
  });
});
