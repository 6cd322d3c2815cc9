import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { ACTIVITY_FILE_NAME, ActivityLog } from '../../src/main/core/activity-log.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('activity log', () => {
  it('appends one JSON line per entry and reads newest first, filtered by server', async () => {
    const dir = await makeTempDir();
    let t = 0;
    const log = new ActivityLog({ dataDir: dir.path, now: () => ++t });
    await log.append({ server: 'a', names: ['x'], action: 'allowed', pid: 1 });
    await log.append({ server: 'b', names: ['y'], action: 'denied' });
    await log.append({ server: 'a', names: ['z'], action: 'entered' });
    const all = await log.read();
    assert.deepEqual(all.map((e) => e.time), [3, 2, 1]);
    assert.deepEqual((await log.read({ server: 'a' })).map((e) => e.names[0]), ['z', 'x']);
    assert.equal((await readFile(join(dir.path, ACTIVITY_FILE_NAME), 'utf8')).trim().split('\n').length, 3);
    await dir.cleanup();
  });

  it('secret_value_in_activity_log: copies only known fields, so a stray value property is never written', async () => {
    const dir = await makeTempDir();
    const log = new ActivityLog({ dataDir: dir.path });
    const sneaky = { server: 'a', names: ['x'], action: 'allowed', value: 'TOP-SECRET-VALUE' } as unknown as Parameters<ActivityLog['append']>[0];
    await log.append(sneaky);
    assert.doesNotMatch(await readFile(join(dir.path, ACTIVITY_FILE_NAME), 'utf8'), /TOP-SECRET-VALUE/);
    await dir.cleanup();
  });

  it('skips a torn last line (crash mid-append) and rotates at the size limit', async () => {
    const dir = await makeTempDir();
    const log = new ActivityLog({ dataDir: dir.path, maxBytes: 400 });
    await log.append({ server: 'a', names: ['x'], action: 'allowed' });
    await writeFile(join(dir.path, ACTIVITY_FILE_NAME), '{"time":1,"server":"a","names":["x"],"action":"allowed"}\n{"time":2,"ser', { flag: 'w' });
    assert.equal((await log.read()).length, 1);
    for (let i = 0; i < 20; i += 1) await log.append({ server: 'a', names: [`n${i}`], action: 'allowed' });
    const size = (await readFile(join(dir.path, ACTIVITY_FILE_NAME))).length;
    assert.ok(size <= 400, `active file stays under the limit (${size})`);
    assert.ok((await log.read()).length >= 5);
    await dir.cleanup();
  });

  it('a failing disk never throws into the caller', async () => {
    const log = new ActivityLog({ dataDir: '/proc/definitely/not/writable' });
    await log.append({ server: 'a', names: ['x'], action: 'allowed' });
  });
});
