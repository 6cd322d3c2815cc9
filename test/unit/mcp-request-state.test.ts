/**
 * The sealed `requestState` of modern-era `input_required` rounds
 * (src/bridge/mcp/request-state.ts): it opens only in the process that made
 * it, for the same tool and arguments, before its expiry, and once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isKeyholdError } from '../../src/shared/keyhold-error.js';
import { RequestStateSealer, argumentsDigest } from '../../src/bridge/mcp/request-state.js';

const claims = { parked: 'p1', tool: 'list_issues', args: argumentsDigest({ repo: 'octo/hello', state: 'open' }) };

function refused(run: () => unknown, why: RegExp): void {
  assert.throws(run, (error) => isKeyholdError(error, 'invalid_request') && why.test(error.message) && /Nothing was asked/.test(error.message));
}

describe('request state', () => {
  it('opens once, for the same tool and arguments, and returns its claims', () => {
    const sealer = new RequestStateSealer();
    const state = sealer.seal(claims, Date.now() + 60_000);
    assert.deepEqual(sealer.open(state, { tool: claims.tool, args: claims.args }), claims);
  });

  it('request_state_replay: a state opens only once', () => {
    const sealer = new RequestStateSealer();
    const state = sealer.seal(claims, Date.now() + 60_000);
    sealer.open(state, claims);
    refused(() => sealer.open(state, claims), /already used/);
  });

  it('request_state_tampering: any changed character, a forged payload or another process\'s key → refused', () => {
    const sealer = new RequestStateSealer();
    const state = sealer.seal(claims, Date.now() + 60_000);
    const [body, tag] = state.split('.') as [string, string];
    const flip = (text: string, at: number): string => `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    refused(() => sealer.open(`${flip(body, 5)}.${tag}`, claims), /altered or minted elsewhere/);
    refused(() => sealer.open(`${body}.${flip(tag, 3)}`, claims), /altered or minted elsewhere/);
    const forged = Buffer.from(JSON.stringify({ v: 1, ...claims, parked: 'other', exp: Date.now() + 60_000, nonce: 'n' })).toString('base64url');
    refused(() => sealer.open(`${forged}.${tag}`, claims), /altered or minted elsewhere/);
    refused(() => new RequestStateSealer().open(state, claims), /altered or minted elsewhere/);
    for (const junk of ['', 'x', 'a.b.c', '.', `${'a'.repeat(3000)}.b`]) refused(() => sealer.open(junk, claims), /not a Keyhold state|too long|altered/);
  });

  it('request_state_rebinding: a state for another tool or other arguments → refused', () => {
    const sealer = new RequestStateSealer();
    refused(() => sealer.open(sealer.seal(claims, Date.now() + 60_000), { tool: 'create_issue', args: claims.args }), /another tool call/);
    refused(() => sealer.open(sealer.seal(claims, Date.now() + 60_000), { tool: claims.tool, args: argumentsDigest({ repo: 'evil/repo' }) }), /another tool call/);
  });

  it('request_state_expiry: a state past its expiry → refused', () => {
    let now = 1_000_000;
    const sealer = new RequestStateSealer(undefined, () => now);
    const state = sealer.seal(claims, now + 5_000);
    now += 5_000;
    refused(() => sealer.open(state, claims), /expired/);
  });

  it('the arguments digest ignores key order and undefined members, and sees every value', () => {
    assert.equal(argumentsDigest({ a: 1, b: { c: [1, 2], d: 'x' } }), argumentsDigest({ b: { d: 'x', c: [1, 2] }, a: 1, e: undefined }));
    assert.notEqual(argumentsDigest({ a: 1 }), argumentsDigest({ a: 2 }));
    assert.notEqual(argumentsDigest({ a: [1, 2] }), argumentsDigest({ a: [2, 1] }));
  });
});
