import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { ensurePrivateDir, isSymlinkRefusal, readFileNoFollow, writeFileAtomic } from '../../src/main/core/atomic-file.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('atomic file writes', () => {
  it('replace the whole file, readable by this user only, and leave no temp files', async () => {
    const dir = await makeTempDir();
    const path = join(dir.path, 'data.json');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, 'second');
    assert.equal(await readFile(path, 'utf8'), 'second');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir.path), ['data.json']);
    await dir.cleanup();
  });

  it('a failed rename leaves the old content and removes its temp file', async () => {
    const dir = await makeTempDir();
    const target = join(dir.path, 'busy');
    await mkdir(join(target, 'child'), { recursive: true });
    await assert.rejects(writeFileAtomic(target, 'new'));
    assert.deepEqual((await readdir(dir.path)).sort(), ['busy']);
    await dir.cleanup();
  });

  it('the data directory is created 0700', async () => {
    const dir = await makeTempDir();
    const data = join(dir.path, 'nested', 'Keyhold');
    await ensurePrivateDir(data);
    assert.equal((await stat(data)).mode & 0o777, 0o700);
    await dir.cleanup();
  });

  it('json_store_symlink_planted: a write replaces a link at the target (never writes through it); a read refuses the link', async () => {
    const dir = await makeTempDir();
    const outside = await makeTempDir('keyhold-outside-');
    const target = join(outside.path, 'settings.json');
    await writeFile(target, 'theirs');
    const path = join(dir.path, 'settings.json');
    await symlink(target, path);
    await assert.rejects(readFileNoFollow(path), (error) => isSymlinkRefusal(error));
    await writeFileAtomic(path, 'ours');
    assert.equal(await readFile(target, 'utf8'), 'theirs');
    assert.ok((await lstat(path)).isFile());
    assert.equal(await readFileNoFollow(path), 'ours');
    await dir.cleanup();
    await outside.cleanup();
  });
});
