/**
 * src/bridge/connection.ts against the real core (FakeKeyholdApp): open =
 * upgrade with the token + hello; frames after hello reach the handler; a
 * wrong token is `unauthorized`; the app going away calls onClose once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { BridgeConnection, type ConnectionHandlers } from '../../src/bridge/connection.js';
import { encodeRequest, type IncomingFrame } from '../../src/bridge/frames.js';
import { FakeKeyholdApp } from '../../src/bridge/testing/index.js';
import { isKeyholdError } from '../../src/shared/keyhold-error.js';

const hello = { server: { name: 'conn-test' }, process: { pid: process.pid } };

describe('BridgeConnection (client side)', () => {
  let app: FakeKeyholdApp;
  before(async () => {
    app = await FakeKeyholdApp.start({ appVersion: '9.9.9' });
  });
  after(async () => {
    await app.stop();
  });

  const handlers = (frames: IncomingFrame[], closes: string[]): ConnectionHandlers => ({
    onFrame: (frame) => frames.push(frame),
    onClose: (_connection, message) => closes.push(message),
  });

  it('opens with hello and hands later frames to onFrame', async () => {
    const frames: IncomingFrame[] = [];
    const connection = await BridgeConnection.open({ endpoint: { ...app.connection, source: { kind: 'options' } }, hello, timeoutMs: 5_000 }, handlers(frames, []));
    assert.equal(connection.isOpen, true);
    assert.equal(connection.appVersion, '9.9.9');
    assert.notEqual(connection.sessionId, '');
    assert.equal(connection.send(encodeRequest('r1', 'secrets.status', { names: ['A'] })), true);
    while (frames.length === 0) await new Promise((r) => setTimeout(r, 5));
    assert.equal((frames[0] as { id?: string }).id, 'r1');
    await connection.close();
    assert.equal(connection.isOpen, false);
  });

  it('a wrong token is unauthorized', async () => {
    await assert.rejects(
      BridgeConnection.open({ endpoint: { url: app.url, token: 'x'.repeat(43), source: { kind: 'options' } }, hello, timeoutMs: 5_000 }, handlers([], [])),
      (error) => isKeyholdError(error, 'unauthorized'),
    );
  });

  it('the app stopping calls onClose once, with a message', async () => {
    const closes: string[] = [];
    await BridgeConnection.open({ endpoint: { ...app.connection, source: { kind: 'options' } }, hello, timeoutMs: 5_000 }, handlers([], closes));
    await app.stop();
    while (closes.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(closes.length, 1);
  });
});
