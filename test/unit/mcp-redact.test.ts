/**
 * src/bridge/mcp/redact.ts: which values are redacted (secret fields, 4+
 * characters, longest first), and that redaction reaches nested results and
 * errors without touching what holds no secret.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { REDACTED, redactDeep, redactError, redactText, secretValuesToRedact } from '../../src/bridge/mcp/redact.js';

describe('mcp redact', () => {
  it('redacts password and textarea values and names without a FieldSpec, from 4 characters, longest first', () => {
    const values = { TOKEN: 'tok-abc', NOTE: 'multi\nline', URL: 'https://api.example.com', SHORT: 'abc', BARE: 'tok-abcdef' };
    const fields = [
      { name: 'TOKEN', label: 'Token', type: 'password' as const, required: true },
      { name: 'NOTE', label: 'Note', type: 'textarea' as const, required: true },
      { name: 'URL', label: 'URL', type: 'url' as const, required: true },
    ];
    assert.deepEqual(secretValuesToRedact(values, fields), ['multi\nline', 'tok-abcdef', 'tok-abc']);
    assert.equal(redactText('a tok-abcdef b', ['tok-abcdef', 'tok-abc']), `a ${REDACTED} b`, 'a value containing another is replaced whole');
  });

  it('redactDeep walks plain objects and arrays, returns a copy, and keeps other objects as they are', () => {
    const date = new Date(0);
    const input = { text: 'key=s3cret', list: ['s3cret', 1, null], nested: { deeper: 's3cret!' }, date };
    const out = redactDeep(input, ['s3cret']);
    assert.deepEqual(out, { text: `key=${REDACTED}`, list: [REDACTED, 1, null], nested: { deeper: `${REDACTED}!` }, date });
    assert.equal(input.text, 'key=s3cret', 'the input is not changed');
    assert.equal(out.date, date);
    assert.equal(redactDeep(input, []), input, 'nothing to redact: the same value');
  });

  it('redactError: the same error when it holds no secret, else a plain Error with message and stack redacted', () => {
    const clean = new TypeError('nothing here');
    assert.equal(redactError(clean, ['s3cret']), clean);
    const leaky = new TypeError('upstream said s3cret is wrong');
    const redacted = redactError(leaky, ['s3cret']) as Error;
    assert.notEqual(redacted, leaky);
    assert.equal(redacted.name, 'TypeError');
    assert.equal(redacted.message, `upstream said ${REDACTED} is wrong`);
    assert.ok(!(redacted.stack ?? '').includes('s3cret'));
    assert.equal(redactError('s3cret', ['s3cret']), 's3cret', 'only Errors are rewritten');
  });
});
