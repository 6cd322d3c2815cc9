import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
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
