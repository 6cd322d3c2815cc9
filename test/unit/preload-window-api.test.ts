import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createWindowApi, windowKindFromArgv, type IpcTransport } from '../../src/preload/window-api.js';
import { eventChannel, invokeChannel, methodsOf } from '../../src/shared/ipc-contract.js';

function fakeTransport(reply: (channel: string, payload: unknown) => unknown) {
  const calls: Array<[string, unknown]> = [];
  const listeners = new Map<string, () => void>();
  const transport: IpcTransport = {
    invoke: async (channel, payload) => {
      calls.push([channel, payload]);
      return reply(channel, payload);
    },
    on: (channel, listener) => {
      listeners.set(channel, listener);
      return () => listeners.delete(channel);
    },
  };
  return { transport, calls, listeners };
}

describe('preload window API', () => {
  it('exposes exactly the window’s own methods, frozen, with no channel names or raw transport', () => {
    const { transport } = fakeTransport(() => ({}));
    const api = createWindowApi('approval', transport);
    assert.deepEqual(Object.keys(api).sort(), ['decide', 'load', 'onAssigned']);
    assert.ok(Object.isFrozen(api));
    const manager = createWindowApi('manager', transport);
    assert.deepEqual(Object.keys(manager).sort(), [...methodsOf('manager'), 'onChanged'].sort());
  });

  it('calls the contract channel and parses the reply; a malformed reply is refused', async () => {
    const { transport, calls } = fakeTransport((channel) => (channel === invokeChannel('approval', 'decide') ? {} : { not: 'a view' }));
    const api = createWindowApi('approval', transport);
    assert.deepEqual(await api.decide({ decision: 'deny' }), {});
    assert.deepEqual(calls[0], ['keyhold:approval.decide', { decision: 'deny' }]);
    await assert.rejects(api.load({}), /unexpected reply to load/);
  });

  it('passes main’s error message through without Electron’s prefix', async () => {
    const transport: IpcTransport = {
      invoke: async () => {
        throw new Error("Error invoking remote method 'keyhold:entry.submit': UiRequestRejected: This request is no longer open.");
      },
      on: () => () => undefined,
    };
    await assert.rejects(createWindowApi('entry', transport).submit({ values: {} }), /^Error: This request is no longer open\.$/);
  });

  it('subscriptions return their unsubscribe', () => {
    const { transport, listeners } = fakeTransport(() => ({}));
    let fired = 0;
    const off = createWindowApi('manager', transport).onChanged(() => (fired += 1));
    listeners.get(eventChannel('manager', 'changed'))?.();
    off();
    assert.equal(fired, 1);
    assert.equal(listeners.size, 0);
  });

  it('assigned is sticky: one that came before the page listened reaches its first listener, once', async () => {
    const { transport, listeners } = fakeTransport(() => ({}));
    const api = createWindowApi('approval', transport);
    listeners.get(eventChannel('approval', 'assigned'))?.();
    let fired = 0;
    api.onAssigned(() => (fired += 1));
    await Promise.resolve();
    assert.equal(fired, 1);
    let second = 0;
    api.onAssigned(() => (second += 1));
    await Promise.resolve();
    assert.equal(second, 0, 'delivered once');
    listeners.get(eventChannel('approval', 'assigned'))?.();
    assert.deepEqual([fired, second], [2, 1]);
  });

  it('the window kind comes only from main’s --keyhold-window argument', () => {
    assert.equal(windowKindFromArgv(['electron', '--keyhold-window=entry']), 'entry');
    assert.equal(windowKindFromArgv(['--keyhold-window=admin']), undefined);
    assert.equal(windowKindFromArgv([]), undefined);
  });
});
