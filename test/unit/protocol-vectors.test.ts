/**
 * The shared protocol vectors (test/vectors/), which the Python bridge's tests
 * read too: every vector parses in TypeScript as it declares, and the
 * committed JSON Schema export equals a fresh one, so a change to
 * src/shared/bridge-protocol.ts fails here until the export (and with it the
 * digest the Python bridge pins) is regenerated.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { SCHEMA_FILE, exportProtocol } from '../../scripts/export-protocol-vectors.js';
import { parseResult, parseServerFrame } from '../../src/bridge/frames.js';
import { REQUEST_TYPES, discoveryFileSchema, requestSchemas, type RequestType } from '../../src/shared/bridge-protocol.js';

interface FrameVector {
  readonly name: string;
  readonly text: string;
  readonly expect: { readonly kind: string; readonly id: string | null; readonly code?: string; readonly result?: unknown; readonly verificationCode?: string; readonly link?: string | null };
}
interface TypedVector {
  readonly name: string;
  readonly type: string;
  readonly valid: boolean;
  readonly params?: unknown;
  readonly result?: unknown;
}
interface FileVector {
  readonly name: string;
  readonly file: unknown;
  readonly valid: boolean;
}
interface Vectors {
  readonly serverFrames: readonly FrameVector[];
  readonly results: readonly TypedVector[];
  readonly requests: readonly TypedVector[];
  readonly discoveryFiles: readonly FileVector[];
}

/** `@@N` stands for N letters `a` (bridge-frames.json's $comment). */
function expand<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/@@(\d+)/g, (_all, count: string) => 'a'.repeat(Number(count)))) as T;
}

const vectors = expand(JSON.parse(readFileSync(fileURLToPath(new URL('../vectors/bridge-frames.json', import.meta.url)), 'utf8')) as Vectors);

function isRequestType(type: string): type is RequestType {
  return (REQUEST_TYPES as readonly string[]).includes(type);
}

describe('shared protocol vectors', () => {
  it('the committed JSON Schema export equals a fresh export of src/shared/bridge-protocol.ts', () => {
    assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), exportProtocol(), 'run: node --import tsx scripts/export-protocol-vectors.ts');
  });

  it('there are vectors of every kind, valid and invalid', () => {
    for (const kind of ['success', 'failure', 'pending', 'malformed']) {
      assert.ok(vectors.serverFrames.some((v) => v.expect.kind === kind), kind);
    }
    for (const list of [vectors.results, vectors.requests, vectors.discoveryFiles]) {
      assert.ok(list.some((v) => v.valid) && list.some((v) => !v.valid));
    }
  });

  for (const vector of vectors.serverFrames) {
    it(`server frame: ${vector.name} → ${vector.expect.kind}`, () => {
      const frame = parseServerFrame(vector.text);
      assert.equal(frame.kind, vector.expect.kind);
      if (frame.kind === 'pending') {
        assert.equal(frame.event.id, vector.expect.id);
        assert.equal(frame.event.verificationCode, vector.expect.verificationCode);
        assert.equal(frame.event.link ?? null, vector.expect.link ?? null);
        return;
      }
      assert.equal(frame.id, vector.expect.id);
      if (frame.kind === 'failure') assert.equal(frame.error.code, vector.expect.code);
      if (frame.kind === 'success') assert.deepEqual(frame.result, vector.expect.result);
    });
  }

  for (const vector of vectors.results) {
    it(`${vector.type} result: ${vector.name} → ${vector.valid ? 'valid' : 'invalid'}`, () => {
      assert.ok(isRequestType(vector.type), vector.type);
      assert.equal(parseResult(vector.type, vector.result).ok, vector.valid);
    });
  }

  for (const vector of vectors.requests) {
    it(`${vector.type} request: ${vector.name} → ${vector.valid ? 'valid' : 'invalid_request'}`, () => {
      const valid = isRequestType(vector.type) && requestSchemas[vector.type].safeParse(vector.params).success;
      assert.equal(valid, vector.valid);
    });
  }

  for (const vector of vectors.discoveryFiles) {
    it(`discovery file: ${vector.name} → ${vector.valid ? 'valid' : 'invalid'}`, () => {
      assert.equal(discoveryFileSchema.safeParse(vector.file).success, vector.valid);
    });
  }
});
