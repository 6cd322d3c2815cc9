/**
 * src/main/core/data-dir-guard.ts through the real `startCore`, `keyhold
 * serve` and the Electron entry point's check: a data directory another user
 * can write in, or a file of the core's that another user owns, is refused
 * before anything is written (foreign_owned_data_dir,
 * bridge_json_swapped_by_other_user). Real directories, modes and owners
 * (helpers/foreign-owner.ts); an in-memory keychain.
 */
import assert from 'node:assert/strict';
import { chmod, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';

import { runServe } from '../../src/main/cli/serve-command.js';
import { DATA_FILE_NAMES, privateDataDirProblem } from '../../src/main/core/data-dir-guard.js';
import { startCore } from '../../src/main/core/keyhold-core.js';
import { MemoryKeychain } from '../../src/main/core/memory-keychain.js';
import { isKeyholdError } from '../../src/shared/keyhold-error.js';
import { foreignOwnedDir, HOW_FOREIGN, makeFileForeign } from '../helpers/foreign-owner.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { makeTempDir } from '../helpers/temp-dir.js';

function start(dataDir: string) {
  return startCore({ dataDir, prompter: new ScriptedPrompter(), appVersion: 'test', keychain: new MemoryKeychain() });
}

async function refusedStart(dataDir: string): Promise<string> {
  try {
    const core = await start(dataDir);
    await core.stop();
  } catch (error) {
    assert.ok(isKeyholdError(error, 'invalid_request'), String(error));
    return error.message;
  }
  assert.fail(`startCore accepted ${dataDir}`);
}

describe('data dir guard', () => {
  it('a missing data dir is created 0700 (parents too) and used', async () => {
    const temp = await makeTempDir();
    const dataDir = join(temp.path, 'config', 'Keyhold');
    const core = await start(dataDir);
    assert.equal((await stat(dataDir)).mode & 0o777, 0o700);
    assert.ok((await readdir(dataDir)).includes('bridge.json'));
    await core.stop();
    assert.equal(privateDataDirProblem(join(temp.path, 'electron', 'Keyhold')), undefined);
    assert.equal((await stat(join(temp.path, 'electron', 'Keyhold'))).mode & 0o777, 0o700);
    await temp.cleanup();
  });

  it('foreign_owned_data_dir: startCore refuses a data dir writable by others (0777) and writes nothing into it', async () => {
    const temp = await makeTempDir();
    await chmod(temp.path, 0o777);
    const message = await refusedStart(temp.path);
    assert.equal(
      message,
      `Refusing the Keyhold data directory ${temp.path}: it is writable by group or others (mode 777), so another user could replace bridge.json and point MCP servers at a program of theirs, or plant files for Keyhold to write through. Fix: \`chmod go-w ${temp.path}\`.`,
    );
    assert.deepEqual(await readdir(temp.path), [], 'no bridge.json, no log, no index');
    assert.equal(privateDataDirProblem(temp.path), message, 'the Electron entry point shows the same message');
    await temp.cleanup();
  });

  it(`foreign_owned_data_dir: startCore refuses a data dir owned by another user (${HOW_FOREIGN})`, async () => {
    const temp = await makeTempDir();
    const dataDir = await foreignOwnedDir(temp.path);
    const message = await refusedStart(dataDir);
    assert.match(message, new RegExp(`^Refusing the Keyhold data directory ${dataDir}: it belongs to uid \\d+, not to you \\(uid ${process.getuid?.() ?? -1}\\)`));
    assert.match(message, /Fix: `chown \$\(id -u\) .*`, or set KEYHOLD_HOME to a directory of yours\./);
    if (dataDir === temp.path) assert.deepEqual(await readdir(temp.path), []);
    await temp.cleanup();
  });

  for (const name of ['bridge.json', 'rules.json', 'activity.jsonl']) {
    it(`bridge_json_swapped_by_other_user: startCore refuses a private data dir whose ${name} belongs to another user (${HOW_FOREIGN})`, async () => {
      const temp = await makeTempDir();
      const path = join(temp.path, name);
      await writeFile(path, '{}\n', { mode: 0o600 });
      await makeFileForeign(path);
      const kind = name === 'bridge.json' ? 'discovery file' : 'data file';
      assert.match(await refusedStart(temp.path), new RegExp(`^Refusing the Keyhold ${kind} ${path.replace(/\./g, '\\.')}: it belongs to uid \\d+, not to you`));
      await temp.cleanup();
    });
  }

  it('checks every file the core keeps there, rotated logs included', () => {
    assert.deepEqual([...DATA_FILE_NAMES].sort(), [
      'activity-unattended.1.jsonl',
      'activity-unattended.jsonl',
      'activity.1.jsonl',
      'activity.jsonl',
      'bridge.json',
      'index.json',
      'rules.json',
      'settings.json',
    ]);
  });

  it('foreign_owned_data_dir: keyhold serve refuses to start and says how to fix it', async () => {
    const temp = await makeTempDir();
    await chmod(temp.path, 0o770);
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    // The real command and core; the stop signal is already aborted, so a serve that did start stops at once (exit 0).
    const code = await runServe(['--home', temp.path], {
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr,
      env: {},
      prompter: new ScriptedPrompter(),
      stopSignal: AbortSignal.abort(),
    });
    assert.equal(code, 1);
    assert.ok(err.includes(`keyhold serve: could not start: Refusing the Keyhold data directory ${temp.path}: it is writable by group or others (mode 770)`), err);
    assert.ok(err.includes(`chmod go-w ${temp.path}`));
    assert.deepEqual(await readdir(temp.path), []);
    await temp.cleanup();
  });
});
