/**
 * The activity log: one JSON line per decision or change, appended to
 * `activity.jsonl` in the data dir. It records who asked (server, process),
 * for which names, and what happened — never a value. The record type has no
 * field that could hold one, and `append` copies only the known fields.
 *
 * When the file passes `maxBytes` it is rotated to `activity.1.jsonl`
 * (one generation kept), so the log cannot fill the disk.
 */
import { appendFile, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { z } from 'zod';

import { isNotFound } from './metadata-index.js';

export const ACTIVITY_FILE_NAME = 'activity.jsonl';
const ROTATED_FILE_NAME = 'activity.1.jsonl';
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

export const ACTIVITY_ACTIONS = [
  'allowed',
  'allowed_session',
  'granted_by_session',
  'allowed_by_rule',
  'denied',
  'entered',
  /** A value stored through `secrets.put` (the `keyhold set` command) after the user allowed it. */
  'stored',
  'cancelled',
  'timeout',
  'busy',
  'invalidated',
  'deleted',
  'replaced',
  'revoked',
  'revealed',
  'rule_added',
  'rule_removed',
  'error',
] as const;
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];

export const activityEntrySchema = z.object({
  time: z.number(),
  server: z.string(),
  pid: z.number().optional(),
  executable: z.string().optional(),
  names: z.array(z.string()),
  action: z.enum(ACTIVITY_ACTIONS),
  tool: z.string().optional(),
  /** The client's request id, to tie a decision to the request in the MCP server's own log. */
  requestId: z.string().optional(),
  /** Error code for `error` entries; for entries about a store or delete request (`denied`, …), `store` / `delete`. */
  detail: z.string().optional(),
});
export type ActivityEntry = z.infer<typeof activityEntrySchema>;

export interface ActivityLogOptions {
  readonly dataDir: string;
  readonly maxBytes?: number;
  readonly now?: () => number;
}

export class ActivityLog {
  private writes: Promise<void> = Promise.resolve();
  private readonly path: string;

  constructor(private readonly options: ActivityLogOptions) {
    this.path = join(options.dataDir, ACTIVITY_FILE_NAME);
  }

  /** Appends an entry; writes are ordered and never throw into the caller (a full disk must not block a decision). */
  append(entry: Omit<ActivityEntry, 'time'>): Promise<void> {
    const record: ActivityEntry = {
      time: (this.options.now ?? Date.now)(),
      server: entry.server,
      names: [...entry.names],
      action: entry.action,
      ...(entry.pid === undefined ? {} : { pid: entry.pid }),
      ...(entry.executable === undefined ? {} : { executable: entry.executable }),
      ...(entry.tool === undefined ? {} : { tool: entry.tool }),
      ...(entry.requestId === undefined ? {} : { requestId: entry.requestId }),
      ...(entry.detail === undefined ? {} : { detail: entry.detail }),
    };
    const line = `${JSON.stringify(record)}\n`;
    this.writes = this.writes.then(() => this.write(line)).catch(() => undefined);
    return this.writes;
  }

  /** Newest first, optionally for one server. Unparseable lines (a torn last line after a crash) are skipped. */
  async read(filter: { server?: string; limit?: number } = {}): Promise<ActivityEntry[]> {
    await this.writes;
    const lines = [...(await readLines(join(this.options.dataDir, ROTATED_FILE_NAME))), ...(await readLines(this.path))];
    const entries: ActivityEntry[] = [];
    for (let i = lines.length - 1; i >= 0 && entries.length < (filter.limit ?? 500); i -= 1) {
      const parsed = activityEntrySchema.safeParse(safeJson(lines[i] ?? ''));
      if (parsed.success && (filter.server === undefined || parsed.data.server === filter.server)) entries.push(parsed.data);
    }
    return entries;
  }

  flush(): Promise<void> {
    return this.writes;
  }

  private async write(line: string): Promise<void> {
    const size = await stat(this.path).then((s) => s.size, () => 0);
    if (size + line.length > (this.options.maxBytes ?? DEFAULT_MAX_BYTES)) {
      await rename(this.path, join(this.options.dataDir, ROTATED_FILE_NAME)).catch(() => undefined);
    }
    await appendFile(this.path, line, { encoding: 'utf8', mode: 0o600 });
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
