import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { ACTIVITY_FILE_NAME, ActivityLog, UNATTENDED_ACTIVITY_FILE_NAME } from '../../src/main/core/activity-log.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** The lines of one stream's active file (none when it does not exist). */
async function fileLines(dir: string, name: string): Promise<string[]> {
  const text = await readFile(join(dir, name), 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '');
}

/** Every line written, decisions first, then unattended outcomes. */
async function allLines(dir: string): Promise<string[]> {
  return [...(await fileLines(dir, ACTIVITY_FILE_NAME)), ...(await fileLines(dir, UNATTENDED_ACTIVITY_FILE_NAME))];
}

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

  it('group commit: entries appended together go out in one write, in order', async () => {
    const dir = await makeTempDir();
    const log = new ActivityLog({ dataDir: dir.path, batchMs: 5 });
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < 200; i += 1) writes.push(log.append({ server: 'a', names: [`n${i}`], action: 'allowed', requestId: `r${i}` }));
    await Promise.all(writes);
    const lines = (await readFile(join(dir.path, ACTIVITY_FILE_NAME), 'utf8')).trim().split('\n');
    assert.deepEqual(lines.map((line) => (JSON.parse(line) as { requestId: string }).requestId), writes.map((_w, i) => `r${i}`));
    await dir.cleanup();
  });

  it('audit_log_flushing: a granted server reading in a loop adds a first line and one summary per window, not a line per read', async () => {
    const dir = await makeTempDir();
    let t = 0;
    const log = new ActivityLog({ dataDir: dir.path, now: () => ++t, repeatWindowMs: 60_000 });
    await log.append({ server: 'other', names: ['k'], action: 'allowed_session', pid: 7 });
    for (let i = 0; i < 10_000; i += 1) void log.append({ server: 'greedy', names: ['token'], action: 'granted_by_session', pid: 9, requestId: `r${i}` });
    void log.append({ server: 'greedy', names: ['other'], action: 'granted_by_session', pid: 9, requestId: 'x1' });
    const entries = await log.read();
    assert.equal(entries.length, 4, 'the decision, the first read of each name set, one summary');
    const summary = entries.find((e) => e.count !== undefined);
    assert.equal(summary?.count, 9_999);
    assert.equal(summary?.requestId, undefined);
    assert.equal(entries.find((e) => e.requestId === 'r0')?.count, undefined, 'the first read keeps its own line and request id');
    assert.ok(entries.some((e) => e.server === 'other' && e.action === 'allowed_session'), 'the earlier decision is still there');
    await dir.cleanup();
  });

  it('a stalled disk: entries beyond the queue limit are counted in one error line, memory stays bounded', async () => {
    const dir = await makeTempDir();
    const log = new ActivityLog({ dataDir: dir.path, maxQueuedBytes: 1_000, batchMs: 1 });
    for (let i = 0; i < 100; i += 1) void log.append({ server: 'a', names: [`n${i}`], action: 'denied' });
    const entries = await log.read({ limit: 1_000 });
    const note = entries.find((e) => e.action === 'error');
    assert.match(note?.detail ?? '', /activity_log_stalled: \d+ entries could not be queued/);
    assert.ok(entries.length < 100);
    await dir.cleanup();
  });
});

describe('activity log flooding', () => {
  it('audit_log_flushing: repeated outcomes that need no user action are counted, not written one by one', async () => {
    const dir = await makeTempDir();
    const log = new ActivityLog({ dataDir: dir.path, repeatWindowMs: 60_000 });
    for (let i = 0; i < 1_000; i += 1) {
      void log.append({ server: 'spam', pid: 7, names: ['a', 'b'], action: 'error', detail: 'not_found', requestId: `r${i}` });
      void log.append({ server: 'spam', pid: 7, names: ['a'], action: 'busy', requestId: `b${i}` });
    }
    await log.append({ server: 'spam', pid: 7, names: ['a'], action: 'denied' });
    await log.flush();
    const lines = await allLines(dir.path);
    assert.equal(lines.length, 5, 'first error, first busy, the denial, and one summary line each');
    const summaries = lines.map((l) => JSON.parse(l) as { action: string; count?: number }).filter((e) => e.count !== undefined);
    assert.deepEqual(summaries.map((e) => [e.action, e.count]).sort(), [['busy', 999], ['error', 999]]);
    await dir.cleanup();
  });

  // Every outcome a client can repeat without the user doing anything; the user's own decisions are not in this list.
  const countedActions = ['granted_by_session', 'allowed_by_rule', 'busy', 'error', 'invalidated'] as const;
  for (const action of countedActions) {
    it(`audit_log_flushing: 1,000 ${action} outcomes give the first line and one summary line`, async () => {
      const dir = await makeTempDir();
      const log = new ActivityLog({ dataDir: dir.path, repeatWindowMs: 60_000 });
      for (let i = 0; i < 1_000; i += 1) void log.append({ server: 'loop', pid: 7, names: ['token'], action, requestId: `r${i}` });
      await log.flush();
      const lines = await fileLines(dir.path, UNATTENDED_ACTIVITY_FILE_NAME);
      const entries = lines.map((line) => JSON.parse(line) as { action: string; requestId?: string; count?: number });
      assert.deepEqual(
        entries.map((e) => [e.action, e.requestId, e.count]),
        [
          [action, 'r0', undefined],
          [action, undefined, 999],
        ],
      );
      await dir.cleanup();
    });
  }
});

describe('audit reservation: decisions and unattended outcomes in their own files', () => {
  it('audit_trail_flush: unattended lines that are not counted (cancelled, timeout) never rotate a decision out', async () => {
    const dir = await makeTempDir();
    let t = 0;
    const log = new ActivityLog({ dataDir: dir.path, maxBytes: 2_000, batchMs: 1, now: () => ++t });
    await log.append({ server: 'github', names: ['token'], action: 'allowed_session', pid: 1 });
    await log.append({ server: 'github', names: ['token'], action: 'denied', pid: 1 });
    // Awaited one by one, so each goes out in its own write and the unattended stream rotates many times.
    for (let i = 0; i < 200; i += 1) await log.append({ server: 'loop', names: [`n${i}`], action: i % 2 === 0 ? 'cancelled' : 'timeout', requestId: `r${i}` });
    await log.flush();
    const decisions = (await fileLines(dir.path, ACTIVITY_FILE_NAME)).map((line) => (JSON.parse(line) as { action: string }).action);
    assert.deepEqual(decisions, ['allowed_session', 'denied']);
    const unattended = await readFile(join(dir.path, UNATTENDED_ACTIVITY_FILE_NAME), 'utf8');
    assert.ok(unattended.length <= 2_000 && !unattended.includes('"r0"'), 'the unattended stream rotated within its own budget');
    const merged = await log.read({ limit: 5_000 });
    assert.deepEqual(merged.filter((e) => e.server === 'github').map((e) => e.action), ['denied', 'allowed_session']);
    await dir.cleanup();
  });

  it('audit_trail_flush: failures on client-chosen names are counted per session and action, whatever the names', async () => {
    const dir = await makeTempDir();
    const log = new ActivityLog({ dataDir: dir.path, repeatWindowMs: 60_000 });
    for (let i = 0; i < 1_000; i += 1) {
      for (const sessionId of ['s1', 's2']) void log.append({ server: 'spam', pid: 7, names: [`made-up-${i}`], action: 'error', detail: 'not_found', requestId: `${sessionId}-${i}` }, { sessionId });
    }
    await log.flush();
    const entries = (await allLines(dir.path)).map((line) => JSON.parse(line) as { requestId?: string; names: string[]; count?: number; unlistedNames?: number });
    assert.equal(entries.length, 4, 'a first line and a summary per session');
    const summaries = entries.filter((e) => e.count !== undefined);
    assert.deepEqual(summaries.map((e) => [e.count, e.names.length, e.unlistedNames]), [[999, 8, 992], [999, 8, 992]]);
    assert.deepEqual(summaries[0]?.names.slice(0, 2), ['made-up-0', 'made-up-1']);
    assert.deepEqual(entries.filter((e) => e.count === undefined).map((e) => e.requestId), ['s1-0', 's2-0']);
    await dir.cleanup();
  });

  it('reads one history: both streams merged by time, newest first', async () => {
    const dir = await makeTempDir();
    let t = 0;
    const log = new ActivityLog({ dataDir: dir.path, now: () => ++t, repeatWindowMs: 60_000 });
    await log.append({ server: 'a', names: ['x'], action: 'allowed_session' });
    await log.append({ server: 'a', names: ['x'], action: 'granted_by_session' });
    await log.append({ server: 'a', names: ['x'], action: 'revoked' });
    await log.append({ server: 'a', names: ['y'], action: 'busy' });
    assert.deepEqual((await log.read()).map((e) => [e.time, e.action]), [
      [4, 'busy'],
      [3, 'revoked'],
      [2, 'granted_by_session'],
      [1, 'allowed_session'],
    ]);
    assert.deepEqual((await log.read({ limit: 2 })).map((e) => e.time), [4, 3]);
    await dir.cleanup();
  });
});
