/**
 * Preload of the approval window: exposes `window.keyhold` (the approval API of the
 * IPC contract) and nothing else. Runs sandboxed, with context isolation.
 */
import { contextBridge } from 'electron';

import { ipcRendererTransport } from './ipc-renderer-transport.js';
import { createWindowApi } from './window-api.js';

contextBridge.exposeInMainWorld('keyhold', createWindowApi('approval', ipcRendererTransport));
