/**
 * The activity log: one JSON line per decision or change, in the data dir.
 * It records who asked (server, process), for which names, and what
 * happened — never a value. The record type has no field that could hold
 * one, and `append` copies only the known fields.
 *
 * Two streams, so unattended lines can never rotate out the user's decisions
 * (threat `audit_trail_flush`):
 *  - `activity.jsonl`: what a person did — allowed, allowed for session,
 *    denied, entered, stored, added, replaced, deleted, revealed, revoked,
 *    rules added or removed;
 *  - `activity-unattended.jsonl`: outcomes no person had a hand in, which a
 *    client can produce at will — reads under a session grant or a rule,
 *    `busy`, errors (`not_found`, `invalid_request`, …), `invalidated`, and
 *    requests cancelled or timed out (a client can open a window and cancel
 *    it in a loop).
 * Each has its own rotation budget (`maxBytes`, one rotated generation:
 * `activity.1.jsonl`, `activity-unattended.1.jsonl`), so the log cannot fill
 * the disk and no volume of unattended lines pushes a decision out. `read`
 * merges both into one history, newest first. Files are opened without
 * following symlinks (activity-files.ts).
 *
 * Writes are grouped: entries queued while one append is under way go out
 * together in the next (see `append`). A granted read costs a line in memory,
 * not a system call; what a crash can lose is the same as before (entries not
 * yet handed to the OS), since the reply to a read never waited for its line.
 *
 * Outcomes a client can repeat without the user doing anything (a read under
 * a session grant or an always-allow rule, `busy`, errors such as `not_found`,
 * `invalidated`) are counted, not written one by one: the first of the same
 * action by the same session gets its own line (with its request id);
 * further ones within `repeatWindowMs` (1 s) become one summary line with
 * `count`. Reads are counted per name set (the names are stored secrets);
 * `busy`, errors and `invalidated` per session and action whatever the names,
 * since the client picks those names: 40,000 deletes of made-up names are two
 * lines a second, not 40,000 (the summary lists the first few names and
 * `unlistedNames`, how many more its requests named).
 */
import { activityEntrySchema, type ActivityAction, type ActivityEntry } from '../../shared/domain.js';
import { ActivityFile } from './activity-files.js';

/** The decisions stream (the name the docs and older versions use). */
export const ACTIVITY_FILE_NAME = 'activity.jsonl';
/** The unattended stream. */
export const UNATTENDED_ACTIVITY_FILE_NAME = 'activity-unattended.jsonl';
const DECISIONS = 'activity';
const UNATTENDED = 'activity-unattended';
/** Every file of the log, rotated ones included (the data-dir checks go through them). */
export const ACTIVITY_FILE_NAMES: readonly string[] = [...ActivityFile.fileNames(DECISIONS), ...ActivityFile.fileNames(UNATTENDED)];

/** Outcomes no person had a hand in: they go to the unattended stream. */
const UNATTENDED_ACTIONS: ReadonlySet<ActivityAction> = new Set<ActivityAction>([
  'granted_by_session',
  'allowed_by_rule',
  'busy',
  'error',
  'invalidated',
  'cancelled',
  'timeout',
]);
/** Outcomes that need no user action, so a client can repeat them at will (see the module comment). */
const COUNTED_ACTIONS: ReadonlySet<ActivityAction> = new Set<ActivityAction>(['granted_by_session', 'allowed_by_rule', 'busy', 'error', 'invalidated']);
/** Counted outcomes whose names the client chooses: counted per session and action, whatever the names. */
const CLIENT_NAMED_ACTIONS: ReadonlySet<ActivityAction> = new Set<ActivityAction>(['busy', 'error', 'invalidated']);
/** How many distinct names a summary of client-named outcomes lists. */
const SUMMARY_NAMES = 8;
/** Each stream's active file rotates past this size. */
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
/** How long an entry may wait for others to share its write. */
const DEFAULT_BATCH_MS = 20;
/** How long repeats of a granted read are counted before their summary line is written. */
const DEFAULT_REPEAT_WINDOW_MS = 1_000;
/** Entries waiting for a stalled disk, at most (about 20 000 entries). */
const DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export type { ActivityAction };

/** One line of the log (the schema lives in the shared vocabulary: the manager's rows are the same lines). */
export { activityEntrySchema, type ActivityEntry };

export interface ActivityLogOptions {
  readonly dataDir: string;
  /** Size of each stream's active file before it rotates (default 5 MiB). */
  readonly maxBytes?: number;
  /** How long the first entry of a batch waits for others (default 20 ms). */
  readonly batchMs?: number;
  /** How long repeats of a granted read are counted into one summary line (default 1000 ms). */
  readonly repeatWindowMs?: number;
  /** Bytes of entries that may wait for the disk before new ones are only counted (default 4 MiB). */
  readonly maxQueuedBytes?: number;
  readonly now?: () => number;
  /** Operational messages (a planted link moved aside); never a value. */
  readonly log?: (message: string) => void;
}

/** Who an entry is about beyond its written fields: the bridge session, so repeats are counted per session. */
export interface AppendContext {
  readonly sessionId?: string;
}

interface Repeat {
  readonly first: ActivityEntry;
  more: number;
  last: number;
  /** Client-named outcomes: the first distinct names seen, and how many names beyond them. */
  readonly names?: string[];
  unlisted: number;
}

interface QueuedLine {
  readonly unattended: boolean;
  readonly line: string;
}

export class ActivityLog {
  private queued: QueuedLine[] = [];
  private queuedBytes = 0;
  private dropped = 0;
  private draining: Promise<void> | undefined;
  private readonly repeats = new Map<string, Repeat>();
  private repeatTimer: NodeJS.Timeout | undefined;
  private readonly decisions: ActivityFile;
  private readonly unattended: ActivityFile;

  constructor(private readonly options: ActivityLogOptions) {
    const files = { dataDir: options.dataDir, maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES, log: options.log };
    this.decisions = new ActivityFile({ ...files, baseName: DECISIONS });
    this.unattended = new ActivityFile({ ...files, baseName: UNATTENDED });
  }

  /**
   * Queues an entry; resolves once it is written (or the write failed: a full
   * disk must not block a decision, so this never rejects). Entries are written
   * in order, and every entry queued while a write is under way goes out with
   * the next single append per stream (group commit): one write per batch, not
   * per entry; a batch collects for at most `batchMs` (20 ms) before it is written.
   * A repeated unattended outcome is only counted and resolves at once.
   */
  append(entry: Omit<ActivityEntry, 'time' | 'count' | 'unlistedNames'>, context: AppendContext = {}): Promise<void> {
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
    if (COUNTED_ACTIONS.has(record.action) && this.counted(record, context)) return Promise.resolve();
    this.enqueue(record);
    return this.drain();
  }

  /**
   * Newest first, optionally for one server: both streams merged by time (a
   * tie keeps the decision first). Unparseable lines (a torn last line after
   * a crash) are skipped.
   */
  async read(filter: { server?: string; limit?: number } = {}): Promise<ActivityEntry[]> {
    await this.flush();
    const limit = filter.limit ?? 500;
    const streams = await Promise.all([this.decisions, this.unattended].map(async (file) => newestEntries(await file.lines(), filter.server, limit)));
    return streams.flat().sort((a, b) => b.time - a.time).slice(0, limit);
  }

  /** Writes the open repeat counts and resolves when everything queued so far is written. */
  flush(): Promise<void> {
    this.closeRepeatWindow();
    return this.draining ?? Promise.resolve();
  }

  /** True when `record` repeats an outcome already counted in this window (then it only adds to the count). */
  private counted(record: ActivityEntry, context: AppendContext): boolean {
    const clientNamed = CLIENT_NAMED_ACTIONS.has(record.action);
    const who = [context.sessionId, record.server, record.pid, record.executable, record.identity];
    const key = JSON.stringify([record.action, record.detail, ...who, clientNamed ? null : record.names, record.tool]);
    const seen = this.repeats.get(key);
    if (seen === undefined) {
      this.repeats.set(key, { first: record, more: 0, last: record.time, names: clientNamed ? [...new Set(record.names)].slice(0, SUMMARY_NAMES) : undefined, unlisted: 0 });
      this.repeatTimer ??= setTimeout(() => this.closeRepeatWindow(), this.options.repeatWindowMs ?? DEFAULT_REPEAT_WINDOW_MS).unref();
      return false;
    }
    seen.more += 1;
    seen.last = record.time;
    if (seen.names !== undefined) {
      for (const name of record.names) {
        if (seen.names.includes(name)) continue;
        if (seen.names.length < SUMMARY_NAMES) seen.names.push(name);
        else seen.unlisted += 1;
      }
    }
    return true;
  }

  private closeRepeatWindow(): void {
    clearTimeout(this.repeatTimer);
    this.repeatTimer = undefined;
    if (this.repeats.size === 0) return;
    for (const { first, more, last, names, unlisted } of this.repeats.values()) {
      if (more === 0) continue;
      const summary: ActivityEntry = { ...first, time: last, count: more };
      if (names !== undefined) summary.names = names;
      if (unlisted > 0) summary.unlistedNames = unlisted;
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
    this.queued.push({ unattended: UNATTENDED_ACTIONS.has(record.action), line });
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
        const decisions = batch.filter((q) => !q.unattended).map((q) => q.line).join('');
        const unattended = batch.filter((q) => q.unattended).map((q) => q.line).join('');
        if (decisions !== '') await this.decisions.append(decisions).catch(() => undefined);
        if (unattended !== '') await this.unattended.append(unattended).catch(() => undefined);
      }
      this.draining = undefined;
    })();
    return this.draining;
  }

  private takeBatch(): QueuedLine[] {
    if (this.dropped > 0) {
      const note: ActivityEntry = {
        time: this.now(),
        server: 'keyhold',
        names: [],
        action: 'error',
        detail: `activity_log_stalled: ${this.dropped} entries could not be queued`,
      };
      this.queued.push({ unattended: true, line: `${JSON.stringify(note)}\n` });
      this.dropped = 0;
    }
    const batch = this.queued;
    this.queued = [];
    this.queuedBytes = 0;
    return batch;
  }
}

/** Up to `limit` entries of one stream, newest (last written) first. */
function newestEntries(lines: readonly string[], server: string | undefined, limit: number): ActivityEntry[] {
  const entries: ActivityEntry[] = [];
  for (let i = lines.length - 1; i >= 0 && entries.length < limit; i -= 1) {
    const parsed = activityEntrySchema.safeParse(safeJson(lines[i] ?? ''));
    if (parsed.success && (server === undefined || parsed.data.server === server)) entries.push(parsed.data);
  }
  return entries;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
