/**
 * src/bridge/in-flight.ts: each request settles once, its timer and abort
 * listener are disposed when it is taken out, busy is reported at the edges,
 * and a lost connection fails only the requests sent on it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InFlightRequests, type InFlightRequest } from '../../src/bridge/in-flight.js';
import { KeyholdError } from '../../src/shared/keyhold-error.js';

function request(id: string, connection: object, log: string[]): InFlightRequest {
  return {
    id,
    type: 'secrets.get',
    connection,
    onPending: undefined,
    resolve: () => log.push(`resolve ${id}`),
    reject: (error) => log.push(`reject ${id} ${error.code}`),
    dispose: () => log.push(`dispose ${id}`),
  };
}

describe('InFlightRequests', () => {
  it('reports busy when the first request starts and idle when the last one ends', () => {
    const busy: boolean[] = [];
    const log: string[] = [];
    const requests = new InFlightRequests((b) => busy.push(b));
    requests.add(request('a', {}, log));
    requests.add(request('b', {}, log));
    requests.take('a');
    assert.deepEqual(busy, [true]);
    requests.take('b');
    assert.deepEqual(busy, [true, false]);
    assert.equal(requests.size, 0);
  });

  it('take disposes once; a second take of the same id finds nothing', () => {
    const log: string[] = [];
    const requests = new InFlightRequests(() => undefined);
    requests.add(request('a', {}, log));
    assert.equal(requests.peek('a')?.id, 'a');
    assert.equal(requests.take('a')?.id, 'a');
    assert.equal(requests.take('a'), undefined);
    assert.deepEqual(log, ['dispose a']);
  });

  it('failAll with a connection rejects only the requests sent on it; without one, all', () => {
    const log: string[] = [];
    const lost = {};
    const kept = {};
    const requests = new InFlightRequests(() => undefined);
    requests.add(request('a', lost, log));
    requests.add(request('b', kept, log));
    requests.failAll(new KeyholdError('unavailable', 'connection lost'), lost);
    assert.deepEqual(log, ['dispose a', 'reject a unavailable']);
    requests.failAll(new KeyholdError('cancelled', 'closed'));
    assert.deepEqual(log.slice(2), ['dispose b', 'reject b cancelled']);
    assert.equal(requests.size, 0);
  });
});
