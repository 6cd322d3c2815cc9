import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { describe, it } from 'node:test';

import { pendingEventSchema } from '../../src/shared/bridge-protocol.js';
import { CODE_ALPHABET, newVerificationCode } from '../../src/main/core/verification-code.js';

describe('verification codes', () => {
  it('phishing_window_guesses_code: codes are XXXX-XXXX (8 characters) from the unambiguous alphabet, and the protocol accepts them', () => {
    for (let i = 0; i < 1000; i += 1) {
      const code = newVerificationCode();
      assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
      assert.doesNotMatch(code, /[01IO]/, 'no look-alike characters');
      const event = { event: 'pending', data: { id: 'r1', kind: 'approval', verificationCode: code, expiresAt: 1 } };
      assert.equal(pendingEventSchema.safeParse(event).success, true);
    }
  });

  it('use a 32-symbol alphabet (unbiased from one byte) and every symbol occurs', () => {
    assert.equal(new Set(CODE_ALPHABET).size, 32);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i += 1) for (const c of newVerificationCode().replace('-', '')) seen.add(c);
    assert.equal(seen.size, 32);
  });

  it('phishing_window_guesses_code: 10,000 codes do not repeat', () => {
    const codes = new Set(Array.from({ length: 10_000 }, newVerificationCode));
    assert.equal(codes.size, 10_000);
  });

  it('phishing_window_guesses_code: codes come from the CSPRNG — with Math.random pinned to a constant they still differ', (t) => {
    t.mock.method(Math, 'random', () => 0);
    const codes = new Set(Array.from({ length: 1_000 }, newVerificationCode));
    assert.equal(codes.size, 1_000);
  });

  it('phishing_window_guesses_code: each character is one CSPRNG byte modulo 32, so known bytes give a known code', (t) => {
    // node:crypto's named exports follow its CommonJS object once synced, so the module under test sees the stub.
    t.mock.method(crypto, 'randomBytes', (size: number) => Buffer.from(Array.from({ length: size }, (_v, i) => i * 33)));
    syncBuiltinESMExports();
    try {
      assert.equal(newVerificationCode(), 'ABCD-EFGH');
    } finally {
      t.mock.restoreAll();
      syncBuiltinESMExports();
    }
  });
});
