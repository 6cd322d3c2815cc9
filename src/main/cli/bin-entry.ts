/**
 * The entry of the bundled CLI (out/cli/keyhold.mjs, built by
 * scripts/build-cli.mjs): runs `main` with this process's arguments and
 * streams. bin/keyhold.mjs (a checkout, `npx keyhold`) and the packaged
 * app's `keyhold` launcher (build/cli/) both run this file.
 *
 * `keyhold --version` alone is answered before the commands (and zod, ws)
 * are loaded: tools and launchers ask it on every start.
 */
import { versionLine } from './app-version.js';

// The packaged launcher runs this file with the app's binary in Node mode
// (ELECTRON_RUN_AS_NODE=1): the commands `keyhold run` starts must not inherit
// that mode (an Electron app among them would start as plain Node).
if (process.versions['electron'] !== undefined) delete process.env['ELECTRON_RUN_AS_NODE'];

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(versionLine());
  process.exit(0);
}
const { main } = await import('./keyhold.js');
process.exit(await main(argv));
