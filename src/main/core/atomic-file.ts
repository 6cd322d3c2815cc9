/**
 * Crash-safe file replacement: write a temp file beside the target, fsync it,
 * rename it over the target, fsync the directory. A reader (or the next start
 * after a SIGKILL) sees the old content or the new, never a torn mix.
 *
 * Symlinks in the data dir are never followed (`json_store_symlink_planted`):
 * the temp file is created with O_EXCL (which fails on a link instead of
 * following it), the rename replaces a link at the target rather than writing
 * where it points, and `readFileNoFollow` refuses a link (O_NOFOLLOW). Windows
 * has no O_NOFOLLOW (0 there); its data directory's ACL is the defence.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';

import { errnoCode } from '../../shared/node-io.js';

/** `O_NOFOLLOW`, or 0 where the platform has none (Windows). */
export const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

/** Makes a rename durable. Windows cannot open a directory for fsync; rename there is already durable enough. */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Creates the data directory readable by this user only. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** The UTF-8 text of a data-dir file; a symlink at `path` is refused (see `isSymlinkRefusal`), never followed. */
export async function readFileNoFollow(path: string): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | NO_FOLLOW);
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** `open` with O_NOFOLLOW met a symlink: ELOOP (Linux, macOS), EMLINK (FreeBSD). */
export function isSymlinkRefusal(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'ELOOP' || code === 'EMLINK';
}
