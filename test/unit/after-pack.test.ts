/**
 * build/after-pack.mjs: the RunAsNode fuse per platform. Off on macOS
 * (run_as_node_keychain_identity: keychain items trust Keyhold's signature,
 * and a Node-mode Keyhold binary would read them without the keychain's
 * prompt); on for Linux and Windows, where the keyhold launcher needs it and
 * any same-user process can read the keychain anyway.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FuseV1Options, FuseVersion } from '@electron/fuses';

// @ts-expect-error -- a plain .mjs hook for electron-builder, without types
import afterPack from '../../build/after-pack.mjs';

async function fusesFor(platform: string): Promise<Record<string | number, unknown>> {
  const calls: Array<Record<string | number, unknown>> = [];
  const context = { electronPlatformName: platform, packager: { addElectronFuses: async (_context: unknown, fuses: Record<string | number, unknown>) => void calls.push(fuses) } };
  await (afterPack as (context: unknown) => Promise<void>)(context);
  assert.equal(calls.length, 1);
  return calls[0] ?? {};
}

describe('afterPack: the RunAsNode fuse', () => {
  it('run_as_node_keychain_identity: off on macOS', async () => {
    const fuses = await fusesFor('darwin');
    assert.equal(fuses['version'], FuseVersion.V1);
    assert.equal(fuses[FuseV1Options.RunAsNode], false);
  });

  it('on for Linux and Windows (the keyhold launcher runs the CLI in Node mode)', async () => {
    assert.equal((await fusesFor('linux'))[FuseV1Options.RunAsNode], true);
    assert.equal((await fusesFor('win32'))[FuseV1Options.RunAsNode], true);
  });

  it('sets nothing else: the other fuses stay in electron-builder.yml', async () => {
    assert.deepEqual(Object.keys(await fusesFor('linux')).sort(), [String(FuseV1Options.RunAsNode), 'version'].sort());
  });
});
