/**
 * The activity log: one JSON line per decision or change, appended to
 * `activity.jsonl` in the data dir. It records who asked (server, process),
 * for which names, and what happened — never a value. The record type has no
 * field that could hold one, and `append` copies only the known fields.
 *
 * When the file passes `maxBytes` it is rotated to `activity.1.jsonl`
 * (one generation kept), so the log cannot fill the disk.
 *
 * Writes are grouped: entries queued while one append is under way go out
 * together in the next (see `append`). A granted read costs a line in memory,
 * not a system call; what a crash can lose is the same as before (entries not
 * yet handed to the OS), since the reply to a read never waited for its line.
 *
 * Outcomes a client can repeat without the user doing anything (a read under
 * a session grant or an always-allow rule, `busy`, errors such as `not_found`,
 * `invalidated`) are counted, not written one by one: the first of the same
 * action on the same names by the same process gets its own line (with its
 * request id); further ones within `repeatWindowMs` (1 s) become one summary
 * line with `count`. A client looping such requests thus adds two lines a
 * second, instead of thousands, and cannot push older entries (the user's
 * decisions) out of the log by rotation.
 */
import { appendFile, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { activityEntrySchema, type ActivityAction, type ActivityEntry } from '../../shared/domain.js';
import { isNotFound } from '../../shared/node-io.js';

export const ACTIVITY_FILE_NAME = 'activity.jsonl';
/** Outcomes that need no user action, so a client can repeat them at will (see the module comment). */
const COUNTED_ACTIONS: ReadonlySet<ActivityAction> = new Set<ActivityAction>(['granted_by_session', 'allowed_by_rule', 'busy', 'error', 'invalidated']);
const ROTATED_FILE_NAME = 'activity.1.jsonl';
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
/** How long an entry may wait for others to share its write. */
const DEFAULT_BATCH_MS = 20;
/** How long repeats of a granted read are counted before their summary line is written. */
const DEFAULT_REPEAT_WINDOW_MS = 1_000;
/** Entries waiting for a stalled disk, at most (about 20 000 entries). */
const DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export type { ActivityAction };

/** One line of `activity.jsonl` (the schema lives in the shared vocabulary: the manager's rows are the same lines). */
export { activityEntrySchema, type ActivityEntry };

export interface ActivityLogOptions {
  readonly dataDir: string;
  readonly maxBytes?: number;
  /** How long the first entry of a batch waits for others (default 20 ms). */
  readonly batchMs?: number;
  /** How long repeats of a granted read are counted into one summary line (default 1000 ms). */
  readonly repeatWindowMs?: number;
  /** Bytes of entries that may wait for the disk before new ones are only counted (default 4 MiB). */
  readonly maxQueuedBytes?: number;
  readonly now?: () => number;
}

export class ActivityLog {
  private queued: string[] = [];
  private queuedBytes = 0;
  private dropped = 0;
  private draining: Promise<void> | undefined;
  private readonly repeats = new Map<string, { readonly first: ActivityEntry; more: number; last: number }>();
  private repeatTimer: NodeJS.Timeout | undefined;
  private readonly path: string;

  constructor(private readonly options: ActivityLogOptions) {
    this.path = join(options.dataDir, ACTIVITY_FILE_NAME);
  }

  /**
   * Queues an entry; resolves once it is written (or the write failed: a full
   * disk must not block a decision, so this never rejects). Entries are written
   * in order, and every entry queued while a write is under way goes out with
   * the next single append (group commit): one write per batch, not per entry;
   * a batch collects for at most `batchMs` (20 ms) before it is written.
   * A repeated granted read is only counted and resolves at once.
   */
  append(entry: Omit<ActivityEntry, 'time' | 'count'>): Promise<void> {
    const record: ActivityEntry = {
      time: this.now(),
      server: entry.server,
      names: [...entry.names],
      action: entry.action,
      pid: entry.pid,
      executable: entry.executable,
      identity: entry.identity,
      tool: entry.tool,
      requestId: entry.requestId,
      detail: entry.detail,
    };
    if (COUNTED_ACTIONS.has(record.action)) {
      const key = JSON.stringify([record.action, record.detail, record.server, record.pid, record.executable, record.identity, record.names, record.tool]);
      const seen = this.repeats.get(key);
      if (seen !== undefined) {
        seen.more += 1;
        seen.last = record.time;
        return Promise.resolve();
      }
      this.repeats.set(key, { first: record, more: 0, last: record.time });
      this.repeatTimer ??= setTimeout(() => this.closeRepeatWindow(), this.options.repeatWindowMs ?? DEFAULT_REPEAT_WINDOW_MS).unref();
    }
    this.enqueue(record);
    return this.drain();
  }

  /** Newest first, optionally for one server. Unparseable lines (a torn last line after a crash) are skipped. */
  async read(filter: { server?: string; limit?: number } = {}): Promise<ActivityEntry[]> {
    await this.flush();
    const lines = [...(await readLines(join(this.options.dataDir, ROTATED_FILE_NAME))), ...(await readLines(this.path))];
    const entries: ActivityEntry[] = [];
    for (let i = lines.length - 1; i >= 0 && entries.length < (filter.limit ?? 500); i -= 1) {
      const parsed = activityEntrySchema.safeParse(safeJson(lines[i] ?? ''));
      if (parsed.success && (filter.server === undefined || parsed.data.server === filter.server)) entries.push(parsed.data);
    }
    return entries;
  }

  /** Writes the open repeat counts and resolves when everything queued so far is written. */
  flush(): Promise<void> {
    this.closeRepeatWindow();
    return this.draining ?? Promise.resolve();
  }

  private closeRepeatWindow(): void {
    clearTimeout(this.repeatTimer);
    this.repeatTimer = undefined;
    if (this.repeats.size === 0) return;
    for (const { first, more, last } of this.repeats.values()) {
      if (more === 0) continue;
      const summary: ActivityEntry = { ...first, time: last, count: more };
      delete summary.requestId;
      this.enqueue(summary);
    }
    this.repeats.clear();
    void this.drain();
  }

  private enqueue(record: ActivityEntry): void {
    const line = `${JSON.stringify(record)}\n`;
    if (this.queuedBytes + line.length > (this.options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES)) {
      // The disk has stalled for a long time: count what cannot be queued instead of growing without bound.
      this.dropped += 1;
      return;
    }
    this.queued.push(line);
    this.queuedBytes += line.length;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** One drain loop at a time; it ends only when the queue is empty (checked and cleared in the same turn). */
  private drain(): Promise<void> {
    this.draining ??= (async () => {
      // Entries appended within the batch window join the first batch.
      await new Promise<void>((resolve) => setTimeout(resolve, this.options.batchMs ?? DEFAULT_BATCH_MS));
      while (this.queued.length > 0 || this.dropped > 0) {
        const batch = this.takeBatch();
        await this.write(batch).catch(() => undefined);
      }
      this.draining = undefined;
    })();
    return this.draining;
  }

  private takeBatch(): string {
    if (this.dropped > 0) {
      const note: ActivityEntry = {
        time: this.now(),
        server: 'keyhold',
        names: [],
        action: 'error',
        detail: `activity_log_stalled: ${this.dropped} entries could not be queued`,
      };
      this.queued.push(`${JSON.stringify(note)}\n`);
      this.dropped = 0;
    }
    const batch = this.queued.join('');
    this.queued = [];
    this.queuedBytes = 0;
    return batch;
  }

  private async write(batch: string): Promise<void> {
    const size = await stat(this.path).then((s) => s.size, () => 0);
    if (size > 0 && size + Buffer.byteLength(batch) > (this.options.maxBytes ?? DEFAULT_MAX_BYTES)) {
      await rename(this.path, join(this.options.dataDir, ROTATED_FILE_NAME)).catch(() => undefined);
    }
    await appendFile(this.path, batch, { encoding: 'utf8', mode: 0o600 });
  }
}

async function readLines(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
