import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PendingPayloadBudget, ProcessConnectionCap, connectionBucket } from '../../src/main/core/connection-limits.js';
import type { ProcessInfo } from '../../src/main/core/prompter.js';
import { isKeyholdError } from '../../src/shared/keyhold-error.js';

const verified = (pid: number): ProcessInfo => ({ claimedPid: pid, pid, verified: true, executable: '/usr/bin/node' });
const unverified = (claimedPid: number): ProcessInfo => ({ claimedPid, pid: claimedPid, verified: false });

function busy(error: unknown): boolean {
  return isKeyholdError(error) && error.code === 'busy';
}

describe('PendingPayloadBudget', () => {
  it('pending_payload_across_connections: connections together stay within the total; past it `busy`, taking nothing', () => {
    const budget = new PendingPayloadBudget({ totalBytes: 1_000, perConnectionBytes: 100 });
    const a = budget.account();
    const b = budget.account();
    a.reserve(600);
    b.reserve(400);
    assert.throws(() => b.reserve(200), busy);
    assert.equal(budget.usedBytes, 1_000);
    assert.equal(b.heldBytes, 400);
  });

  it("each connection keeps its own small share, so a flood elsewhere cannot refuse everyone's small request", () => {
    const budget = new PendingPayloadBudget({ totalBytes: 1_000, perConnectionBytes: 100 });
    budget.account().reserve(1_000);
    const calm = budget.account();
    calm.reserve(60);
    calm.reserve(40);
    assert.throws(() => calm.reserve(1), busy, 'past its own share, the connection is subject to the total');
    assert.equal(budget.usedBytes, 1_100);
  });

  it('a release gives back exactly what was taken, once', () => {
    const budget = new PendingPayloadBudget({ totalBytes: 1_000, perConnectionBytes: 0 });
    const account = budget.account();
    const release = account.reserve(700);
    release();
    release();
    assert.equal(budget.usedBytes, 0);
    assert.equal(account.heldBytes, 0);
    account.reserve(1_000);
  });
});

describe('ProcessConnectionCap', () => {
  it('connection_cap_held_by_one_process: a verified process is capped on its own; others are not affected', () => {
    const cap = new ProcessConnectionCap({ perProcess: 2, unverifiedTotal: 5 });
    cap.admit(verified(10));
    cap.admit(verified(10));
    assert.throws(() => cap.admit(verified(10)), (error: unknown) => busy(error) && /Process 10 already holds 2/.test((error as Error).message));
    cap.admit(verified(11));
    assert.equal(cap.countOf(verified(10)), 2);
    assert.equal(cap.countOf(verified(11)), 1);
  });

  it('unverified peers share one bucket whatever pid they claim (a claim is the client’s word)', () => {
    const cap = new ProcessConnectionCap({ perProcess: 2, unverifiedTotal: 3 });
    cap.admit(unverified(1));
    cap.admit(unverified(2));
    cap.admit(unverified(3));
    assert.throws(() => cap.admit(unverified(4)), busy);
    cap.admit(verified(4));
    assert.equal(connectionBucket(unverified(7)), connectionBucket(unverified(8)));
    assert.notEqual(connectionBucket(verified(7)), connectionBucket(unverified(7)));
  });

  it('a release frees the slot once; the bucket function can be swapped', () => {
    const cap = new ProcessConnectionCap({ perProcess: 1, bucketOf: (process) => (process.executable ?? 'none') });
    const release = cap.admit(verified(1));
    assert.throws(() => cap.admit(verified(2)), busy, 'same executable, same bucket');
    release();
    release();
    cap.admit(verified(2));
    assert.throws(() => cap.admit(verified(3)), busy);
  });
});
