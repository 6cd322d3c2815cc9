/**
 * Builds the three Electron processes into out/: main (the thin adapter and
 * the core it starts), one sandboxed preload for all windows (a single
 * CommonJS file with every dependency bundled: a sandboxed preload can require
 * neither packages nor sibling chunks; it serves the window main names in
 * --keyhold-window=<kind>), and the
 * React windows (one HTML entry each). Under `electron-vite dev` only, the
 * pages' CSP is relaxed for React Refresh, Vite's styles and HMR
 * (scripts/vite-dev-csp.ts); built pages keep the strict one.
 */
import { resolve } from 'node:path';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

import { CSP_PLACEHOLDER, PAGE_CONTENT_SECURITY_POLICY } from './src/shared/content-security-policy.js';

import { devServerCsp } from './scripts/vite-dev-csp.js';

const root = import.meta.dirname;
export const WINDOW_ENTRIES = ['approval', 'entry', 'manager'] as const;

/** Writes the one CSP (src/shared/content-security-policy.ts) into each page's meta tag. */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'keyhold-csp',
    transformIndexHtml(html) {
      if (!html.includes(CSP_PLACEHOLDER)) throw new Error(`a page has no ${CSP_PLACEHOLDER} CSP meta tag`);
      return html.replaceAll(CSP_PLACEHOLDER, PAGE_CONTENT_SECURITY_POLICY);
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: { input: { index: resolve(root, 'src/main/electron/main.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    plugins: [react(), contentSecurityPolicy(), devServerCsp()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      // Minified: the approval window must paint fast, and React unminified is ~3x the bytes to parse.
      minify: true,
      rolldownOptions: {
        input: Object.fromEntries(WINDOW_ENTRIES.map((w) => [w, resolve(root, `src/renderer/${w}.html`)])),
      },
    },
  },
});
