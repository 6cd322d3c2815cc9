/**
 * Small Node helpers the core and the bridge package share (Node only: not
 * for the renderer): reading an errno code, "does this process still run",
 * and the text of a WebSocket message.
 */

/** The `code` of a Node system error (`ENOENT`, `EPERM`, …), or `unknown error`. */
export function errnoCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return 'unknown error';
}

export function isErrno(error: unknown, code: string): boolean {
  return errnoCode(error) === code;
}

/** A missing file or directory. */
export function isNotFound(error: unknown): boolean {
  return isErrno(error, 'ENOENT');
}

/**
 * True unless the OS says the pid does not exist. EPERM means it exists but
 * belongs to someone else; any other failure also counts as alive, so a
 * caller that refuses to start next to a live process errs on the safe side.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !isErrno(error, 'ESRCH');
  }
}

/** The UTF-8 text of a WebSocket message, whichever of its binary types `ws` delivered. */
export function rawText(data: Buffer | ArrayBuffer | readonly Buffer[]): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
