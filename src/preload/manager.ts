/**
 * Preload of the manager window: exposes `window.keyhold` (the manager API of the
 * IPC contract) and nothing else. Runs sandboxed, with context isolation.
 */
import { contextBridge } from 'electron';

import { ipcRendererTransport } from './ipc-renderer-transport.js';
import { createWindowApi } from './window-api.js';

contextBridge.exposeInMainWorld('keyhold', createWindowApi('manager', ipcRendererTransport));
