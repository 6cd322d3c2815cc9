/**
 * The data directory's ownership check, shared by the app (`startCore`, the
 * Electron entry point), `@keyhold/bridge` and the CLI, and mirrored by the
 * Python bridge (`keyhold_bridge.discovery.check_ownership`, same messages).
 *
 * The data directory and `bridge.json` must belong to the current user and
 * must not be writable by group or others. Otherwise another local user could
 * swap `bridge.json` and point every MCP server and `keyhold set` at a
 * program of theirs (which then receives the token and whatever value is
 * sent), or plant files and links for the app to write through. Such a
 * directory is refused with `invalid_request` and the command that fixes it;
 * it is never used. No message built here holds a token.
 *
 * POSIX only. On Windows, `stat` has no owner (`uid` is always 0) and its
 * mode bits only mirror the read-only attribute, so this check could not see
 * what it looks for; access there is governed by ACLs, and the default data
 * directory (`%APPDATA%\Keyhold`) inherits the user profile's ACL, which
 * grants only that user (and SYSTEM/Administrators) access. Reading ACLs
 * needs a native module, which the bridge package does not take on, so the
 * check is skipped on Windows rather than faked.
 */
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';

import { ENV_HOME } from './bridge-protocol.js';
import { KeyholdError } from './keyhold-error.js';

/** What is checked; named in the message. */
export type OwnedPathKind = 'data directory' | 'discovery file' | 'data file';

/** The two fields of a `stat` the check reads. */
export interface OwnerAndMode {
  readonly uid: number;
  readonly mode: number;
}

export interface OwnershipCheckOptions {
  /** The user the path must belong to; default the current user (`process.getuid()`). */
  readonly uid?: number;
  /** Default `process.platform`; the check applies everywhere except `win32` (see the module comment). */
  readonly platform?: NodeJS.Platform;
  /**
   * What another user could do through such a path, for the message; default
   * the client's view ("point this server at a fake app").
   */
  readonly risk?: string;
}

const GROUP_OR_OTHER_WRITABLE = 0o022;
export const CLIENT_RISK = 'another user could point this server at a fake app';
export const APP_RISK = 'another user could replace bridge.json and point MCP servers at a program of theirs, or plant files for Keyhold to write through';

/** The `invalid_request` error for `info` at `path`, or undefined when `path` is safe to use. */
export function ownershipProblem(path: string, kind: OwnedPathKind, info: OwnerAndMode, options: OwnershipCheckOptions = {}): KeyholdError | undefined {
  const uid = options.uid ?? currentUid();
  if (uid === undefined || (options.platform ?? process.platform) === 'win32') return undefined;
  const risk = options.risk ?? CLIENT_RISK;
  if (info.uid !== uid) {
    return new KeyholdError(
      'invalid_request',
      `Refusing the Keyhold ${kind} ${path}: it belongs to uid ${info.uid}, not to you (uid ${uid}), so ${risk}. ` +
        `Fix: \`chown $(id -u) ${path}\`, or set ${ENV_HOME} to a directory of yours.`,
    );
  }
  if ((info.mode & GROUP_OR_OTHER_WRITABLE) !== 0) {
    return new KeyholdError(
      'invalid_request',
      `Refusing the Keyhold ${kind} ${path}: it is writable by group or others (mode ${(info.mode & 0o7777).toString(8)}), so ${risk}. ` +
        `Fix: \`chmod go-w ${path}\`.`,
    );
  }
  return undefined;
}

/** Throws `ownershipProblem`'s error for `path` (which must exist: ENOENT is rethrown as is). */
export async function checkOwnership(path: string, kind: OwnedPathKind, options: OwnershipCheckOptions = {}): Promise<void> {
  if (skipped(options)) return;
  const problem = ownershipProblem(path, kind, await stat(path), options);
  if (problem !== undefined) throw problem;
}

/** `checkOwnership` for callers that must decide before anything async runs (the Electron entry point before `ready`). */
export function checkOwnershipSync(path: string, kind: OwnedPathKind, options: OwnershipCheckOptions = {}): void {
  if (skipped(options)) return;
  const problem = ownershipProblem(path, kind, statSync(path), options);
  if (problem !== undefined) throw problem;
}

function skipped(options: OwnershipCheckOptions): boolean {
  return (options.platform ?? process.platform) === 'win32' || (options.uid ?? currentUid()) === undefined;
}

function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}
