/**
 * Paths that belong to another user, for real (no faked `stat`), for the
 * data-dir ownership tests (`foreign_owned_data_dir`,
 * `bridge_json_swapped_by_other_user`).
 *
 * As root (CI, this repository's containers) the temp path is chown'd to
 * uid 65534 (`nobody`). A non-root user cannot give a file away, so there the
 * tests use what already belongs to root: `/` as the data directory, and
 * `bridge.json` as a link to `/etc/passwd` (the check follows links, as the
 * Python bridge's `os.stat` does). `how` says which was done, for test names.
 */
import { chown, rm, symlink } from 'node:fs/promises';

export const OTHER_UID = 65534;
export const IS_ROOT = process.getuid?.() === 0;
export const HOW_FOREIGN = IS_ROOT ? `chown'd to uid ${OTHER_UID}` : 'root-owned (not root here: cannot chown)';

/** A data directory owned by another user: `dir` itself (chown'd) as root, else `/`. */
export async function foreignOwnedDir(dir: string): Promise<string> {
  if (!IS_ROOT) return '/';
  await chown(dir, OTHER_UID, OTHER_UID);
  return dir;
}

/** Makes the file at `path` another user's: chown'd as root, else replaced by a link to root's `/etc/passwd`. */
export async function makeFileForeign(path: string): Promise<void> {
  if (IS_ROOT) {
    await chown(path, OTHER_UID, OTHER_UID);
    return;
  }
  await rm(path, { force: true });
  await symlink('/etc/passwd', path);
}
