/**
 * The output masker of `keyhold run`: values are replaced wherever chunks are
 * cut, in the forms JSON and URLs give them, without disturbing JSON-RPC
 * framing (secret_in_child_output, masking_breaks_jsonrpc_framing).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MIN_MASKED_CHARS, OutputMasker, maskPatterns, placeholderFor, valueForms } from '../../src/main/cli/output-masker.js';

const SECRET = 'ghp_Secr3t/"quoted"\\value-ü';
const REF = 'demo/token';

function masker(secrets = [{ ref: REF, value: SECRET }]): OutputMasker {
  return new OutputMasker(maskPatterns(secrets).patterns);
}

/** Feeds `text` cut at the given byte offsets; returns everything written. */
function feed(m: OutputMasker, bytes: Buffer, cuts: number[]): Buffer {
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(m.write(bytes.subarray(from, cut)));
    from = cut;
  }
  out.push(m.end());
  return Buffer.concat(out);
}

describe('output masker', () => {
  it('secret_in_child_output: replaces the raw value with «keyhold:server/name»', () => {
    const out = feed(masker(), Buffer.from(`token=${SECRET}\n`), []).toString('utf8');
    assert.equal(out, `token=${placeholderFor(REF)}\n`);
  });

  it('finds the value wherever the stream is cut, one byte at a time or at every split point', () => {
    const bytes = Buffer.from(`a ${SECRET} b ${SECRET}${SECRET} c`);
    const expected = `a ${placeholderFor(REF)} b ${placeholderFor(REF)}${placeholderFor(REF)} c`;
    for (let cut = 0; cut <= bytes.length; cut++) assert.equal(feed(masker(), bytes, [cut]).toString('utf8'), expected, `cut at ${cut}`);
    const everyByte = Array.from({ length: bytes.length }, (_, i) => i);
    assert.equal(feed(masker(), bytes, everyByte).toString('utf8'), expected);
  });

  it('secret_in_child_output: masks the JSON-escaped, doubly escaped, \\/ and \\u forms and the URL-encoded form', () => {
    for (const form of valueForms(SECRET)) {
      const out = feed(masker(), Buffer.from(`[${form}]`), []).toString('utf8');
      assert.equal(out, `[${placeholderFor(REF)}]`, `form ${form}`);
    }
    assert.ok(valueForms(SECRET).includes(JSON.stringify(SECRET).slice(1, -1)));
    assert.ok(valueForms(SECRET).includes(encodeURIComponent(SECRET)));
  });

  it('masking_breaks_jsonrpc_framing: JSON-RPC lines stay valid JSON, one per line, with the same structure', () => {
    const messages = [
      { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: `token is ${SECRET}` }] } },
      { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: JSON.stringify({ token: SECRET }) }] } },
      { jsonrpc: '2.0', method: 'notifications/message', params: { data: `x${SECRET}y` } },
    ];
    const bytes = Buffer.from(messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
    for (const cuts of [[], [7], [bytes.length - 1], [13, 50, 51, 52, 200]]) {
      const out = feed(masker(), bytes, cuts).toString('utf8');
      assert.ok(!out.includes(SECRET), 'no raw value');
      const lines = out.split('\n');
      assert.equal(lines.pop(), '', 'ends with a newline');
      assert.equal(lines.length, messages.length, 'no line added or lost');
      const parsed = lines.map((line) => JSON.parse(line) as { id?: number; result?: { content: Array<{ text: string }> } });
      assert.equal(parsed[0]?.result?.content[0]?.text, `token is ${placeholderFor(REF)}`);
      assert.deepEqual(JSON.parse(parsed[1]?.result?.content[0]?.text ?? ''), { token: placeholderFor(REF) });
    }
  });

  it('never holds back a complete line: what ends in a newline is written at once', () => {
    const m = masker();
    const line = Buffer.from(`${JSON.stringify({ jsonrpc: '2.0', id: 1, result: {} })}\n`);
    assert.deepEqual(m.write(line), line);
    // A possible start of the value is held until the next chunk says whether it is one.
    const partial = m.write(Buffer.from(`abc ${SECRET.slice(0, 5)}`));
    assert.equal(partial.toString(), 'abc ');
    assert.equal(m.write(Buffer.from('zzz\n')).toString(), `${SECRET.slice(0, 5)}zzz\n`);
  });

  it('passes bytes that are not a value through unchanged (invalid UTF-8 included)', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3]);
    assert.deepEqual(feed(masker(), bytes, [1, 4]), bytes);
  });

  it('prefers the longer of two values that start alike, even across chunks', () => {
    const secrets = [
      { ref: 'a/short', value: 'abcdefgh' },
      { ref: 'a/long', value: 'abcdefgh-and-more' },
    ];
    const bytes = Buffer.from('x abcdefgh-and-more y abcdefgh z');
    for (let cut = 0; cut <= bytes.length; cut++) {
      assert.equal(feed(masker(secrets), bytes, [cut]).toString(), `x ${placeholderFor('a/long')} y ${placeholderFor('a/short')} z`, `cut ${cut}`);
    }
  });

  it(`does not mask values shorter than ${MIN_MASKED_CHARS} characters, and says which`, () => {
    const { patterns, skipped } = maskPatterns([{ ref: 'a/pin', value: '1234' }, { ref: REF, value: SECRET }]);
    assert.deepEqual(skipped, ['a/pin']);
    assert.equal(feed(new OutputMasker(patterns), Buffer.from('id 1234'), []).toString(), 'id 1234');
  });

  it('placeholders are JSON-string safe', () => {
    const placeholder = placeholderFor('my-server.v2/api_key');
    assert.equal(JSON.stringify(placeholder), `"${placeholder}"`);
  });
});
