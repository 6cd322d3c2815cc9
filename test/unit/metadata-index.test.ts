import assert from 'node:assert/strict';
import { lstat, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { emptyIndex, INDEX_FILE_NAME, loadIndex, saveIndex } from '../../src/main/core/metadata-index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('metadata index', () => {
  it('a missing file is an empty index; a saved one loads back', async () => {
    const dir = await makeTempDir();
    assert.deepEqual(JSON.stringify((await loadIndex(dir.path, 1)).data), JSON.stringify(emptyIndex()));
    const data = { version: 1 as const, servers: { github: { token: { created: 1, updated: 2, lastUsed: 3 } } }, pending: [{ op: 'put' as const, server: 'github', name: 'user', at: 4 }] };
    await saveIndex(dir.path, data);
    const loaded = (await loadIndex(dir.path, 5)).data;
    assert.deepEqual(JSON.parse(JSON.stringify(loaded)), data);
    // Client-chosen names index these dictionaries: no prototype to reach through them.
    assert.equal(Object.getPrototypeOf(loaded.servers), null);
    assert.equal(Object.getPrototypeOf(loaded.servers['github']), null);
    await dir.cleanup();
  });

  it('json_store_symlink_planted: an index.json that is a link is quarantined unread, and saving never writes through it', async () => {
    const dir = await makeTempDir();
    const outside = await makeTempDir('keyhold-outside-');
    const planted = join(outside.path, 'index.json');
    const plantedText = JSON.stringify({ version: 1, servers: { github: { token: { created: 1, updated: 1 } } }, pending: [] });
    await writeFile(planted, plantedText);
    await symlink(planted, join(dir.path, INDEX_FILE_NAME));
    const loaded = await loadIndex(dir.path, 9);
    assert.deepEqual(Object.keys(loaded.data.servers), [], 'the linked index is not read');
    assert.equal(loaded.quarantinedTo, join(dir.path, `${INDEX_FILE_NAME}.unreadable-9`));
    await saveIndex(dir.path, emptyIndex());
    assert.equal(await readFile(planted, 'utf8'), plantedText, 'the link target is untouched');
    assert.ok((await lstat(join(dir.path, INDEX_FILE_NAME))).isFile());
    await dir.cleanup();
    await outside.cleanup();
  });

  it('a file that breaks the schema (e.g. a bad server name) is quarantined, never overwritten', async () => {
    const dir = await makeTempDir();
    await writeFile(join(dir.path, INDEX_FILE_NAME), JSON.stringify({ version: 1, servers: { '../etc': {} }, pending: [] }));
    const loaded = await loadIndex(dir.path, 77);
    assert.deepEqual(JSON.stringify(loaded.data), JSON.stringify(emptyIndex()));
    assert.equal(loaded.quarantinedTo, join(dir.path, `${INDEX_FILE_NAME}.unreadable-77`));
    assert.deepEqual(await readdir(dir.path), [`${INDEX_FILE_NAME}.unreadable-77`]);
    await dir.cleanup();
  });
});
