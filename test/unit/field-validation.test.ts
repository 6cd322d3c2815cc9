import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { FieldSpec } from '../../src/shared/bridge-protocol.js';
import { validateEntry, validateFieldValue } from '../../src/shared/field-validation.js';

const field = (over: Partial<FieldSpec>): FieldSpec => ({ name: 'f', label: 'Field', type: 'text', required: true, ...over });

describe('field validation', () => {
  it('required fields must not be empty; optional ones may be', () => {
    assert.match(validateFieldValue(field({}), '') ?? '', /required/);
    assert.equal(validateFieldValue(field({ required: false }), ''), null);
  });

  it('url fields take http(s) URLs only', () => {
    const url = field({ type: 'url' });
    assert.equal(validateFieldValue(url, 'https://api.example.com/v1'), null);
    assert.match(validateFieldValue(url, 'javascript:alert(1)') ?? '', /URL/);
    assert.match(validateFieldValue(url, 'not a url') ?? '', /URL/);
  });

  it('email fields take addresses', () => {
    assert.equal(validateFieldValue(field({ type: 'email' }), 'me@example.com'), null);
    assert.notEqual(validateFieldValue(field({ type: 'email' }), 'me@'), null);
  });

  it('patterns must match the whole value', () => {
    const spec = field({ pattern: 'ghp_[A-Za-z0-9]{4}' });
    assert.equal(validateFieldValue(spec, 'ghp_abcd'), null);
    assert.notEqual(validateFieldValue(spec, 'xghp_abcd'), null);
    assert.notEqual(validateFieldValue(spec, 'ghp_abcde'), null);
  });

  it('single-line types refuse newlines; textarea accepts them', () => {
    assert.notEqual(validateFieldValue(field({ type: 'password' }), 'a\nb'), null);
    assert.equal(validateFieldValue(field({ type: 'textarea' }), 'a\nb'), null);
  });

  it('messages never contain the value', () => {
    const secret = 'sk-live-SECRET-123';
    for (const spec of [field({ type: 'url' }), field({ type: 'email' }), field({ pattern: 'x' })]) {
      const message = validateFieldValue(spec, secret);
      assert.ok(message !== null && !message.includes(secret));
    }
  });

  it('validateEntry reports each invalid field by name', () => {
    const problems = validateEntry([field({ name: 'a' }), field({ name: 'b', type: 'email' }), field({ name: 'c', required: false })], { b: 'x' });
    assert.deepEqual(Object.keys(problems).sort(), ['a', 'b']);
  });
});
