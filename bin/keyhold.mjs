#!/usr/bin/env node
// `keyhold` from a checkout (`npx keyhold …` at the repo root, `npm link`):
// runs the bundled CLI that `npm run build` writes to out/cli/ — plain
// JavaScript, no TypeScript loader at run time. In a checkout that has not
// been built yet it says how to build; KEYHOLD_CLI_FROM_SOURCE=1 runs the
// TypeScript source through tsx instead (a devDependency), for working on
// the CLI without rebuilding.
import { existsSync } from 'node:fs';

const bundle = new URL('../out/cli/keyhold.mjs', import.meta.url);

if (process.env.KEYHOLD_CLI_FROM_SOURCE === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/main/cli/keyhold.ts');
  process.exit(await main(process.argv.slice(2)));
} else if (existsSync(bundle)) {
  await import(bundle.href);
} else {
  process.stderr.write('keyhold: the CLI is not built yet: run `npm run build` (or `npm run build:cli`) in this checkout first.\n');
  process.exit(1);
}
