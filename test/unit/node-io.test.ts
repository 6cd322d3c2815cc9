/**
 * src/shared/node-io.ts: one answer, for the core and the bridge alike, to
 * "does this pid still run" and "what is this errno", and the text of a
 * WebSocket message in each binary form `ws` delivers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { errnoCode, isNotFound, isProcessAlive, rawText } from '../../src/shared/node-io.js';

describe('node-io', () => {
  it('isProcessAlive: a live pid, a pid that does not exist, and one that exists but is not ours', () => {
    assert.equal(isProcessAlive(process.pid), true);
    assert.equal(isProcessAlive(2 ** 22 + 12345), false);
    // pid 1 belongs to root: kill(1, 0) is EPERM for a normal user, which still means alive.
    assert.equal(isProcessAlive(1), true);
  });

  it('errnoCode and isNotFound read the code of a system error, and nothing else', () => {
    assert.equal(errnoCode(Object.assign(new Error('x'), { code: 'ENOENT' })), 'ENOENT');
    assert.equal(errnoCode(new Error('no code')), 'unknown error');
    assert.equal(errnoCode('ENOENT'), 'unknown error');
    assert.equal(isNotFound(Object.assign(new Error('x'), { code: 'ENOENT' })), true);
    assert.equal(isNotFound(Object.assign(new Error('x'), { code: 'EACCES' })), false);
  });

  it('rawText decodes a Buffer, fragments and an ArrayBuffer as UTF-8', () => {
    const text = 'héllo ✓';
    const buffer = Buffer.from(text, 'utf8');
    assert.equal(rawText(buffer), text);
    assert.equal(rawText([buffer.subarray(0, 3), buffer.subarray(3)]), text);
    assert.equal(rawText(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length)), text);
  });
});
