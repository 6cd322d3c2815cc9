/**
 * src/shared/data-dir-ownership.ts: the rule every side applies to the data
 * directory and bridge.json (threat `foreign_owned_data_dir`), on real files
 * with real modes and owners (see helpers/foreign-owner.ts).
 */
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { APP_RISK, checkOwnership, checkOwnershipSync, ownershipProblem } from '../../src/shared/data-dir-ownership.js';
import { isKeyholdError } from '../../src/shared/keyhold-error.js';
import { foreignOwnedDir, HOW_FOREIGN } from '../helpers/foreign-owner.js';
import { makeTempDir } from '../helpers/temp-dir.js';

async function refusal(work: Promise<void>): Promise<string> {
  try {
    await work;
  } catch (error) {
    assert.ok(isKeyholdError(error, 'invalid_request'), String(error));
    return error.message;
  }
  assert.fail('expected the path to be refused');
}

describe('data dir ownership', () => {
  it('a private directory and a 0600 file of the current user pass', async () => {
    const dir = await makeTempDir();
    const file = join(dir.path, 'bridge.json');
    await writeFile(file, '{}', { mode: 0o600 });
    await checkOwnership(dir.path, 'data directory');
    await checkOwnership(file, 'discovery file');
    checkOwnershipSync(dir.path, 'data directory');
    await dir.cleanup();
  });

  it('foreign_owned_data_dir: a data directory writable by group or others (0777, 0770) is refused with the chmod that fixes it', async () => {
    const dir = await makeTempDir();
    for (const mode of [0o777, 0o770, 0o702]) {
      await chmod(dir.path, mode);
      const message = await refusal(checkOwnership(dir.path, 'data directory'));
      assert.equal(
        message,
        `Refusing the Keyhold data directory ${dir.path}: it is writable by group or others (mode ${mode.toString(8)}), so another user could point this server at a fake app. Fix: \`chmod go-w ${dir.path}\`.`,
      );
      assert.throws(() => checkOwnershipSync(dir.path, 'data directory'), /writable by group or others/);
    }
    await chmod(dir.path, 0o755);
    await checkOwnership(dir.path, 'data directory');
    await dir.cleanup();
  });

  it(`foreign_owned_data_dir: a data directory owned by another user is refused with the chown (${HOW_FOREIGN})`, async () => {
    const temp = await makeTempDir();
    const dir = await foreignOwnedDir(temp.path);
    const uid = process.getuid?.() ?? -1;
    const message = await refusal(checkOwnership(dir, 'data directory', { risk: APP_RISK }));
    assert.match(message, new RegExp(`^Refusing the Keyhold data directory ${dir}: it belongs to uid \\d+, not to you \\(uid ${uid}\\)`));
    assert.ok(message.includes(`Fix: \`chown $(id -u) ${dir}\`, or set KEYHOLD_HOME to a directory of yours.`), message);
    assert.ok(message.includes('another user could replace bridge.json'), 'the app names its own risk');
    await temp.cleanup();
  });

  it('a group-writable file in a private directory is refused too', async () => {
    const dir = await makeTempDir();
    const file = join(dir.path, 'bridge.json');
    await writeFile(file, '{}');
    await chmod(file, 0o666);
    assert.match(await refusal(checkOwnership(file, 'discovery file')), /^Refusing the Keyhold discovery file .*bridge\.json: it is writable by group or others \(mode 666\)/);
    await dir.cleanup();
  });

  it('a missing path is not a refusal: the caller decides (ENOENT as is)', async () => {
    const dir = await makeTempDir();
    await assert.rejects(checkOwnership(join(dir.path, 'none'), 'discovery file'), { code: 'ENOENT' });
    await dir.cleanup();
  });

  it('the rule itself: owner first, then the group/other write bits; read bits do not matter', () => {
    assert.match(ownershipProblem('/d', 'data directory', { uid: 7, mode: 0o40700 }, { uid: 8, platform: 'linux' })?.message ?? '', /belongs to uid 7, not to you \(uid 8\)/);
    assert.match(ownershipProblem('/d', 'data directory', { uid: 8, mode: 0o40720 }, { uid: 8, platform: 'linux' })?.message ?? '', /mode 720/);
    assert.equal(ownershipProblem('/d', 'data directory', { uid: 8, mode: 0o40755 }, { uid: 8, platform: 'linux' }), undefined);
  });

  it('Windows: skipped, not faked (stat has no owner there and its mode bits only mirror the read-only flag)', async () => {
    const dir = await makeTempDir();
    await chmod(dir.path, 0o777);
    await checkOwnership(dir.path, 'data directory', { platform: 'win32' });
    assert.equal(ownershipProblem('/d', 'data directory', { uid: 0, mode: 0o666 }, { uid: 1000, platform: 'win32' }), undefined);
    await dir.cleanup();
  });
});
