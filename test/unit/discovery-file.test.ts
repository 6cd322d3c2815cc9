import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, it } from 'node:test';

import { BridgeServer } from '../../src/main/core/bridge-server.js';
import { discoveryFilePath, isKeyholdAnswering, readDiscoveryFile, removeDiscoveryFile, writeDiscoveryFile } from '../../src/main/core/discovery-file.js';
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

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('stale bridge.json: is the recorded Keyhold really answering?', () => {
  const token = 'k'.repeat(43);

  it('the running Keyhold that wrote the file answers its own token', async () => {
    const bridge = await BridgeServer.listen({ token, onConnection: (socket) => socket.close() });
    try {
      assert.equal(await isKeyholdAnswering({ url: bridge.url, token, pid: process.pid, version: '1' }), true);
      assert.equal(await isKeyholdAnswering({ url: bridge.url, token: 'z'.repeat(43), pid: process.pid, version: '1' }), false, 'another token: another Keyhold');
    } finally {
      await bridge.close();
    }
  });

  it('after a reboot: the pid is alive (another process now) but nothing listens at the URL → stale', async () => {
    const closed = createServer();
    const port = await listening(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    // process.pid: a live process that is not a Keyhold bridge.
    assert.equal(await isKeyholdAnswering({ url: `ws://127.0.0.1:${port}`, token, pid: process.pid, version: '1' }), false);
  });

  it('another program now owns the port and answers HTTP → stale', async () => {
    const other = createServer((_request, response) => response.end('hello'));
    const port = await listening(other);
    try {
      assert.equal(await isKeyholdAnswering({ url: `ws://127.0.0.1:${port}`, token, pid: process.pid, version: '1' }), false);
    } finally {
      other.closeAllConnections();
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('a program that accepts the connection but never answers → stale after the timeout', async () => {
    const silent = createServer();
    const held: Socket[] = [];
    silent.on('upgrade', (_request, socket: Socket) => held.push(socket));
    const port = await listening(silent);
    try {
      assert.equal(await isKeyholdAnswering({ url: `ws://127.0.0.1:${port}`, token, pid: process.pid, version: '1' }, 200), false);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
