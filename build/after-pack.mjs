// electron-builder afterPack hook: the RunAsNode fuse, per platform.
//
// The packaged `keyhold` command (build/cli/) runs the bundled CLI with the
// app's own binary and ELECTRON_RUN_AS_NODE=1, which needs the RunAsNode fuse.
// On Linux and Windows it is on: any process of the user can already read the
// Secret Service / Credential Manager directly, so a Node-mode Keyhold binary
// gains an attacker nothing. On macOS it stays off: keychain items trust the
// app's code signature, and a Node-mode Keyhold binary would read them without
// the keychain's prompt (the `keyhold` launcher then needs `node` on PATH).
// The other fuses are in electron-builder.yml (electronFuses, which leaves
// RunAsNode alone when it is not listed there); both run before signing.
import { FuseV1Options, FuseVersion } from '@electron/fuses';

/** @param {import('app-builder-lib').AfterPackContext} context */
export default async function afterPack(context) {
  await context.packager.addElectronFuses(context, {
    version: FuseVersion.V1,
    [FuseV1Options.RunAsNode]: context.electronPlatformName !== 'darwin',
  });
}
