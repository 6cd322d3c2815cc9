import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';

import { discoveryFilePath, readDiscoveryFile, removeDiscoveryFile, writeDiscoveryFile } from '../../src/main/core/discovery-file.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const content = { url: 'ws://127.0.0.1:4567', token: 't'.repeat(43), pid: process.pid, version: '1.2.3' };

describe('discovery file (bridge.json)', () => {
  it('is written with the pinned fields, mode 0600, and read back', async () => {
    const dir = await makeTempDir();
    await writeDiscoveryFile(dir.path, content);
    assert.equal((await stat(discoveryFilePath(dir.path))).mode & 0o777, 0o600);
    assert.deepEqual(Object.keys(JSON.parse(await readFile(discoveryFilePath(dir.path), 'utf8'))).sort(), ['pid', 'token', 'url', 'version']);
    assert.deepEqual(await readDiscoveryFile(dir.path), content);
    await dir.cleanup();
  });

  it('is removed at stop only while it still holds our token', async () => {
    const dir = await makeTempDir();
    await writeDiscoveryFile(dir.path, { ...content, token: 'x'.repeat(43) });
    await removeDiscoveryFile(dir.path, content.token);
    assert.ok(await readDiscoveryFile(dir.path), 'another instance’s file stays');
    await removeDiscoveryFile(dir.path, 'x'.repeat(43));
    assert.equal(await readDiscoveryFile(dir.path), undefined);
    await dir.cleanup();
  });

  it('a malformed or non-loopback file reads as absent', async () => {
    const dir = await makeTempDir();
    await writeFile(discoveryFilePath(dir.path), '{ torn');
    assert.equal(await readDiscoveryFile(dir.path), undefined);
    await writeFile(discoveryFilePath(dir.path), JSON.stringify({ ...content, url: 'ws://evil.example:80' }));
    assert.equal(await readDiscoveryFile(dir.path), undefined);
    await dir.cleanup();
  });
});
