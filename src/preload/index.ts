/**
 * The preload of every Keyhold window. Sandboxed preloads cannot load code
 * from other files, so there is one self-contained bundle; main tells it which
 * window it serves with `--keyhold-window=<kind>` (webPreferences
 * additionalArguments — the page cannot change it), and it exposes that
 * window's API as `window.keyhold` and nothing else.
 */
import { contextBridge } from 'electron';

import { ipcRendererTransport } from './ipc-renderer-transport.js';
import { createWindowApi, windowKindFromArgv } from './window-api.js';

const kind = windowKindFromArgv(process.argv);
if (kind !== undefined) contextBridge.exposeInMainWorld('keyhold', createWindowApi(kind, ipcRendererTransport));
