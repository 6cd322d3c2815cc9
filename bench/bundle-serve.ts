/**
 * The serve fixture bundled into one ES module, run with plain `node`: the
 * way the desktop app runs the core (electron-vite bundles main), without the
 * TypeScript loader the `keyhold` bin uses. The loader's threads cost about
 * 35 MB of RSS and nothing per request, so the benchmark measures the core
 * bundled and reports the tsx-run RSS beside it.
 */
import { join } from 'node:path';

import { build } from 'esbuild';

import { REPO_ROOT } from './serve-process.js';

export const BUNDLE_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'keyhold-bench');

export async function bundleServe(): Promise<string> {
  const outfile = join(BUNDLE_DIR, 'policy-serve.mjs');
  await build({
    entryPoints: [join(REPO_ROOT, 'bench', 'fixtures', 'policy-serve.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    // The native keychain module stays a package; ws's optional native helpers are not installed.
    external: ['@napi-rs/keyring', 'bufferutil', 'utf-8-validate'],
    banner: { js: "import { createRequire as __keyholdRequire } from 'node:module'; const require = __keyholdRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
}
