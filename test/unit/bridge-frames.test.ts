/**
 * Decoding what the app sends: every frame kind, malformed frames turned into
 * values (never exceptions) with the request id recovered when possible, and
 * problem texts that never quote the frame (it may carry secret values).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { encodeRequest, newRequestId, parseResult, parseServerFrame } from '../../src/bridge/frames.js';
import { requestIdSchema } from '../../src/shared/bridge-protocol.js';

const SECRET = 'sk-live-DO-NOT-LEAK-0123456789';

describe('bridge frames', () => {
  it('request ids are random and match the protocol id pattern', () => {
    const ids = new Set(Array.from({ length: 500 }, () => newRequestId()));
    assert.equal(ids.size, 500);
    for (const id of ids) assert.ok(requestIdSchema.safeParse(id).success, id);
  });

  it('encodes a request as { id, type, params }', () => {
    const text = encodeRequest('r1', 'secrets.status', { names: ['A'] });
    assert.deepEqual(JSON.parse(text), { id: 'r1', type: 'secrets.status', params: { names: ['A'] } });
  });

  it('decodes a success reply', () => {
    const frame = parseServerFrame(JSON.stringify({ id: 'r1', ok: true, result: { values: { A: 'x' } } }));
    assert.deepEqual(frame, { kind: 'success', id: 'r1', result: { values: { A: 'x' } } });
  });

  it('decodes an error reply, including one the app could not attribute (id null)', () => {
    const frame = parseServerFrame(JSON.stringify({ id: 'r2', ok: false, error: { code: 'denied', message: 'The user denied it.' } }));
    assert.deepEqual(frame, { kind: 'failure', id: 'r2', error: { code: 'denied', message: 'The user denied it.' } });
    const orphan = parseServerFrame(JSON.stringify({ id: null, ok: false, error: { code: 'invalid_request', message: 'bad' } }));
    assert.equal(orphan.kind, 'failure');
    assert.equal(orphan.kind === 'failure' ? orphan.id : 'x', null);
  });

  it('decodes a pending event with its verification code', () => {
    const data = { id: 'r3', kind: 'approval', verificationCode: 'ABCD-EF23', expiresAt: 1_700_000_000_000 };
    assert.deepEqual(parseServerFrame(JSON.stringify({ event: 'pending', data })), { kind: 'pending', event: data });
  });

  describe('malformed frames', () => {
    const cases: Array<[string, string, string | null]> = [
      ['not JSON (and never quoted back)', `{"id":"r4","ok":true,"result":{"values":{"A":"${SECRET}"}`, null],
      ['a JSON array', '[1,2]', null],
      ['an unknown error code', JSON.stringify({ id: 'r5', ok: false, error: { code: 'nope', message: 'x' } }), 'r5'],
      ['an extra top-level field', JSON.stringify({ id: 'r6', ok: true, result: {}, extra: SECRET }), 'r6'],
      ['a bad verification code', JSON.stringify({ event: 'pending', data: { id: 'r7', kind: 'entry', verificationCode: SECRET, expiresAt: 1 } }), null],
      ['an id outside the pattern', JSON.stringify({ id: 'has space', ok: true, result: {} }), null],
      ['ok missing', JSON.stringify({ id: 'r8', result: {} }), 'r8'],
    ];
    for (const [name, text, id] of cases) {
      it(`${name} → malformed${id === null ? '' : ' with the id recovered'}`, () => {
        const frame = parseServerFrame(text);
        assert.equal(frame.kind, 'malformed');
        if (frame.kind !== 'malformed') return;
        assert.equal(frame.id, id);
        assert.ok(!frame.problem.includes(SECRET), `problem text leaks the frame: ${frame.problem}`);
      });
    }
  });

  describe('results are checked against the schema of the request they answer', () => {
    it('accepts well-formed results', () => {
      assert.deepEqual(parseResult('secrets.get', { values: { API_KEY: 'v' } }), { ok: true, value: { values: { API_KEY: 'v' } } });
      assert.deepEqual(parseResult('secrets.status', { secrets: [{ name: 'A', exists: true, invalidated: false }] }), {
        ok: true,
        value: { secrets: [{ name: 'A', exists: true, invalidated: false }] },
      });
      assert.deepEqual(parseResult('cancel', {}), { ok: true, value: {} });
      assert.equal(parseResult('hello', { sessionId: 's', appVersion: '1', protocol: 1 }).ok, true);
    });

    it('rejects results of the wrong shape without quoting values', () => {
      const bad: Array<[Parameters<typeof parseResult>[0], unknown]> = [
        ['secrets.get', { values: { A: 42 } }],
        ['secrets.get', { values: { 'bad name!': SECRET } }],
        ['secrets.get', { secrets: [] }],
        ['secrets.request', { values: { A: 'x'.repeat(64 * 1024 + 1) } }],
        ['secrets.status', { secrets: [{ name: 'A', exists: 'yes', invalidated: false }] }],
        ['secrets.invalidate', { done: true }],
        ['hello', { sessionId: 's', appVersion: '1', protocol: 2 }],
      ];
      for (const [type, result] of bad) {
        const parsed = parseResult(type, result);
        assert.equal(parsed.ok, false, `${type} ${JSON.stringify(result).slice(0, 60)}`);
        if (!parsed.ok) assert.ok(!parsed.problem.includes(SECRET));
      }
    });
  });
});
