/**
 * One stream of the activity log on disk: a JSON-lines file in the data dir
 * and its one rotated generation (`<name>.jsonl` → `<name>.1.jsonl` when the
 * next write would take it past `maxBytes`).
 *
 * Symlinks are never followed (threat `activity_log_symlink_planted`): both
 * files are opened with `O_NOFOLLOW`, and the rotation is a `rename`, which
 * acts on the names and never on what a link points to. A link planted at
 * the active file's path is moved aside (`<name>.jsonl.symlink-<time>`,
 * again a rename) and a fresh file is started, so logging goes on and nothing
 * is ever written where the link points; a link at the rotated path is
 * replaced by the next rotation. Reading a link gives no lines. Windows has
 * no `O_NOFOLLOW` (and creating links there needs a privilege by default): the
 * flag is 0 there, and the data directory's ACL is the defence.
 */
import { constants } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import { isNotFound } from '../../shared/node-io.js';
import { isSymlinkRefusal, NO_FOLLOW } from './atomic-file.js';

const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | NO_FOLLOW;
const READ_FLAGS = constants.O_RDONLY | NO_FOLLOW;

export interface ActivityFileOptions {
  readonly dataDir: string;
  /** `activity` → `activity.jsonl` and `activity.1.jsonl`. */
  readonly baseName: string;
  readonly maxBytes: number;
  /** Told when a planted link was moved aside (never a value). */
  readonly log?: (message: string) => void;
}

export class ActivityFile {
  readonly path: string;
  readonly rotatedPath: string;

  constructor(private readonly options: ActivityFileOptions) {
    this.path = join(options.dataDir, `${options.baseName}.jsonl`);
    this.rotatedPath = join(options.dataDir, `${options.baseName}.1.jsonl`);
  }

  /** The two file names (active, rotated), for the data-dir checks. */
  static fileNames(baseName: string): readonly string[] {
    return [`${baseName}.jsonl`, `${baseName}.1.jsonl`];
  }

  /** Appends `batch` (whole lines), rotating first when it would pass `maxBytes`. */
  async append(batch: string): Promise<void> {
    let handle = await this.openActive();
    try {
      const size = (await handle.stat()).size;
      if (size > 0 && size + Buffer.byteLength(batch) > this.options.maxBytes) {
        await handle.close();
        await rename(this.path, this.rotatedPath);
        handle = await this.openActive();
      }
      await handle.appendFile(batch, 'utf8');
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /** Lines of the rotated file then the active one (oldest first); a missing file or a link gives none. */
  async lines(): Promise<string[]> {
    return [...(await readLines(this.rotatedPath)), ...(await readLines(this.path))];
  }

  private async openActive(): Promise<FileHandle> {
    try {
      return await open(this.path, APPEND_FLAGS, 0o600);
    } catch (error) {
      if (!isSymlinkRefusal(error)) throw error;
      const aside = `${this.path}.symlink-${Date.now()}`;
      await rename(this.path, aside);
      this.options.log?.(`${this.path} was a symbolic link; it was moved to ${aside} (never followed) and a new log file was started`);
      return open(this.path, APPEND_FLAGS, 0o600);
    }
  }
}

async function readLines(path: string): Promise<string[]> {
  let handle: FileHandle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (error) {
    if (isNotFound(error) || isSymlinkRefusal(error)) return [];
    throw error;
  }
  try {
    if (!(await handle.stat()).isFile()) return [];
    return (await handle.readFile('utf8')).split('\n').filter((line) => line.trim() !== '');
  } finally {
    await handle.close();
  }
}
