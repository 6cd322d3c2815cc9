#!/usr/bin/env node
// Builds the `@keyhold/bridge/testing` entry after `tsc` has built the rest of dist/.
//
// FakeKeyholdApp is the app's real core (src/main/core), which this package does not
// otherwise contain. Why a bundle and not a second package: the core is an internal of
// the app with no API of its own to version; bundling only the code the testing entry
// reaches into dist/bridge/testing/index.js ships it with the package that already has the
// testing entry, keeps `ws` and `zod` the only dependencies, and lets the core change
// freely. The bundle imports the package's own modules (src/bridge, src/shared) from
// dist/ rather than copying them, so `KeyholdError` and the schemas are one class and one
// set of schemas across entries. `@napi-rs/keyring` stays an external that is never
// loaded (the core imports it lazily and the fake passes an in-memory keychain).
//
// Declarations: tsc emitted dist/bridge/testing/*.d.ts; only those reachable from
// index.d.ts ship, and each may import only shipped files or `zod` (no `ws` types, no
// core types), so a strict consumer without @types/ws type-checks them.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const packageDir = dirname(fileURLToPath(import.meta.url));
const src = resolve(packageDir, '..');
const dist = join(packageDir, 'dist');
const testingOut = join(dist, 'bridge', 'testing');
const toPosix = (path) => path.split(sep).join('/');

/** Imports of the package's own compiled modules stay imports, of their dist/ files. */
const packageModules = {
  name: 'package-modules',
  setup(builder) {
    builder.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      const rel = toPosix(relative(src, target));
      const own = (rel.startsWith('shared/') || rel.startsWith('bridge/')) && !rel.startsWith('bridge/testing/');
      if (!own) return undefined;
      const compiled = join(dist, rel.replace(/\.ts$/, '.js'));
      if (!existsSync(compiled)) throw new Error(`${rel} is imported by the testing bundle but tsc did not emit ${compiled}: add it to tsconfig.build.json`);
      let path = toPosix(relative(testingOut, compiled));
      if (!path.startsWith('.')) path = `./${path}`;
      return { path, external: true };
    });
  },
};

rmSync(join(dist, 'main'), { recursive: true, force: true });
await build({
  entryPoints: [join(packageDir, 'testing', 'index.ts')],
  outfile: join(testingOut, 'index.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['ws', 'zod', '@napi-rs/keyring'],
  plugins: [packageModules],
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: '// @keyhold/bridge/testing: FakeKeyholdApp with the Keyhold core bundled in (see the package README).' },
});

// Keep index.js and the declarations index.d.ts reaches; drop tsc's per-file JS and the rest.
const reachable = new Set();
const visit = (file) => {
  if (reachable.has(file)) return;
  reachable.add(file);
  const text = readFileSync(file, 'utf8');
  for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
    if (specifier === 'zod') continue;
    if (!specifier.startsWith('.')) throw new Error(`${toPosix(relative(dist, file))} imports "${specifier}": the testing declarations may import only this package and zod`);
    const target = resolve(dirname(file), specifier.replace(/\.js$/, '.d.ts'));
    if (!target.startsWith(dist + sep) || !existsSync(target)) throw new Error(`${toPosix(relative(dist, file))} imports "${specifier}", which the package does not ship`);
    if (target.startsWith(testingOut + sep)) visit(target);
  }
};
visit(join(testingOut, 'index.d.ts'));
for (const name of readdirSync(testingOut)) {
  const file = join(testingOut, name);
  if (name !== 'index.js' && !reachable.has(file)) rmSync(file);
}
