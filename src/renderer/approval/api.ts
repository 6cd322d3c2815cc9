/** The approval window's bridge to main: `window.keyhold` as its preload exposes it. */
import type { WindowApi } from '../../shared/ipc-contract.js';

export const api = (window as unknown as { keyhold: WindowApi<'approval'> }).keyhold;
