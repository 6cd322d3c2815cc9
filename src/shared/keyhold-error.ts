/**
 * The one error type that crosses the bridge. `code` is one of the pinned
 * protocol codes; `message` says what happened and what to do, and never
 * carries a secret value.
 */
import type { ErrorCode } from './bridge-protocol.js';

export class KeyholdError extends Error {
  override readonly name = 'KeyholdError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** The wire form of this error, as sent in a reply frame. */
  toBody(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isKeyholdError(error: unknown, code?: ErrorCode): error is KeyholdError {
  return error instanceof KeyholdError && (code === undefined || error.code === code);
}
