/**
 * The only module in the preloads that touches ipcRenderer (lint-enforced).
 * Listeners get no event object: the page never sees an IpcRendererEvent.
 */
import { ipcRenderer } from 'electron';

import type { IpcTransport } from './window-api.js';

export const ipcRendererTransport: IpcTransport = {
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload),
  on: (channel, listener) => {
    const handler = (): void => listener();
    ipcRenderer.on(channel, handler);
    return () => ipcRenderer.off(channel, handler);
  },
};
