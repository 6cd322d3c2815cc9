#!/usr/bin/env node
// `keyhold` (npx keyhold … from the repo root): runs the CLI from its
// TypeScript source through tsx, so there is no build step for the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main/cli/keyhold.ts');
process.exit(await main(process.argv.slice(2)));
