/**
 * The browser harness's stand-in for an Electron preload: the SAME
 * createWindowApi as src/preload/<kind>.ts, with its transport bound to a
 * Playwright binding instead of ipcRenderer. Bundled by esbuild and injected
 * before the page's own scripts run.
 */
import type { WindowKind } from '../../src/shared/ipc-contract.js';
import { createWindowApi } from '../../src/preload/window-api.js';

interface PageGlobals {
  __keyholdInvoke(channel: string, payload: unknown): Promise<unknown>;
  __keyholdEmit(channel: string): void;
  __keyholdKind: WindowKind;
  keyhold: unknown;
}

const page = globalThis as unknown as PageGlobals;
const listeners = new Map<string, Set<() => void>>();
page.__keyholdEmit = (channel) => {
  for (const listener of listeners.get(channel) ?? []) listener();
};
const invoke = page.__keyholdInvoke.bind(page);
page.keyhold = createWindowApi(page.__keyholdKind, {
  invoke: (channel, payload) => invoke(channel, payload),
  on: (channel, listener) => {
    const set = listeners.get(channel) ?? new Set();
    listeners.set(channel, set);
    set.add(listener);
    return () => set.delete(listener);
  },
});
