/**
 * The app's side of the data directory ownership check (the rule and its
 * messages: src/shared/data-dir-ownership.ts). Before the core writes
 * anything — before Electron takes its single-instance lock there — the data
 * directory is created readable by this user only (0700) if it is missing,
 * and refused if it, `bridge.json` or any other file the core keeps there
 * belongs to another user or is writable by group or others. A file left by
 * another user in a directory that was once open (and since `chmod go-w`'d)
 * would still be theirs to edit, so the files are checked too, not only the
 * directory.
 */
import { mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { DISCOVERY_FILE_NAME } from '../../shared/bridge-protocol.js';
import { APP_RISK, checkOwnership, checkOwnershipSync, type OwnedPathKind } from '../../shared/data-dir-ownership.js';
import { isKeyholdError } from '../../shared/keyhold-error.js';
import { errnoCode, isNotFound } from '../../shared/node-io.js';
import { ACTIVITY_FILE_NAMES } from './activity-log.js';
import { INDEX_FILE_NAME } from './metadata-index.js';
import { RULES_FILE_NAME } from './rules.js';
import { SETTINGS_FILE_NAME } from './settings-store.js';

/** Every file the core keeps in the data directory, besides temp files. */
export const DATA_FILE_NAMES: readonly string[] = [DISCOVERY_FILE_NAME, INDEX_FILE_NAME, RULES_FILE_NAME, SETTINGS_FILE_NAME, ...ACTIVITY_FILE_NAMES];

/** Creates the data directory 0700 when missing; throws `invalid_request` when it or a file of the core's in it is not safely ours. */
export async function preparePrivateDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await checkOwnership(dataDir, 'data directory', { risk: APP_RISK });
  for (const name of DATA_FILE_NAMES) {
    await checkOwnership(join(dataDir, name), fileKind(name), { risk: APP_RISK }).catch(ignoreMissing);
  }
}

/**
 * `preparePrivateDataDir` for the Electron entry point, which must decide
 * before `ready` (and before the single-instance lock writes into the
 * directory): the message to show, or undefined when the directory is fine.
 */
export function privateDataDirProblem(dataDir: string): string | undefined {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    checkOwnershipSync(dataDir, 'data directory', { risk: APP_RISK });
    for (const name of DATA_FILE_NAMES) {
      try {
        checkOwnershipSync(join(dataDir, name), fileKind(name), { risk: APP_RISK });
      } catch (error) {
        ignoreMissing(error);
      }
    }
    return undefined;
  } catch (error) {
    if (isKeyholdError(error)) return error.message;
    return `Could not use the data directory ${dataDir}: ${errnoCode(error)}. Check that it is a directory of yours.`;
  }
}

function fileKind(name: string): OwnedPathKind {
  return name === DISCOVERY_FILE_NAME ? 'discovery file' : 'data file';
}

function ignoreMissing(error: unknown): void {
  if (!isNotFound(error)) throw error;
}
