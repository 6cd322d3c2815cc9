#!/usr/bin/env node
// `npm run build:cli` (part of `npm run build`): bundles the `keyhold` CLI into
// out/cli/ with esbuild — plain ES modules that node (or the app's own runtime
// with ELECTRON_RUN_AS_NODE=1) runs without a TypeScript loader. Code
// splitting keeps `keyhold --version` and `keyhold run` light: what only one
// command needs (the core, behind `serve`'s dynamic import) is its own chunk.
// The native keychain module stays a package import (only `serve` loads it).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
export const CLI_OUT_DIR = join(root, 'out', 'cli');

// zod's `z` namespace re-exports every locale (~250 KB minified, half the bundle), which no
// tree-shaking can drop; Keyhold never calls z.locales, and zod configures English by itself.
// Every node start of `keyhold run` would parse them: only `en` is kept.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: root,
    }));
  },
};

await rm(CLI_OUT_DIR, { recursive: true, force: true });
await build({
  entryPoints: { keyhold: join(root, 'src', 'main', 'cli', 'bin-entry.ts') },
  bundle: true,
  splitting: true,
  platform: 'node',
  // jsonc-parser's "main" is a UMD build whose require() calls esbuild cannot follow; its "module" is plain ESM.
  mainFields: ['module', 'main'],
  format: 'esm',
  target: 'node20',
  outdir: CLI_OUT_DIR,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // ws's optional native helpers are not installed; the keychain module is native.
  external: ['@napi-rs/keyring', 'bufferutil', 'utf-8-validate'],
  // Bundled CommonJS (ws) calls require() for node built-ins.
  banner: { js: "import { createRequire as __keyholdRequire } from 'node:module'; const require = __keyholdRequire(import.meta.url);" },
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [zodEnglishOnly],
});
