/**
 * Encoding requests and decoding what the app sends back. Every received frame
 * goes through `serverFrameSchema`, every result through its type's result
 * schema; anything else becomes a `malformed` value the client turns into an
 * `unavailable` error for the request it belongs to. Nothing here throws on
 * bad input, and no problem text quotes the frame (it may hold secret values).
 */
import { randomBytes } from 'node:crypto';

import {
  describeIssues,
  requestIdSchema,
  resultSchemas,
  serverFrameSchema,
  type ErrorBody,
  type PendingEvent,
  type RequestParams,
  type RequestResult,
  type RequestType,
} from '../shared/bridge-protocol.js';

export type IncomingFrame =
  | { readonly kind: 'success'; readonly id: string | null; readonly result: unknown }
  | { readonly kind: 'failure'; readonly id: string | null; readonly error: ErrorBody }
  | { readonly kind: 'pending'; readonly event: PendingEvent }
  /** `id` is recovered when the frame was a JSON object with a well-formed `id`, so the right request fails. */
  | { readonly kind: 'malformed'; readonly id: string | null; readonly problem: string };

export type ParsedResult<T extends RequestType> =
  | { readonly ok: true; readonly value: RequestResult<T> }
  | { readonly ok: false; readonly problem: string };

/** A fresh request id: 128 random bits, base64url (matches `requestIdSchema`). */
export function newRequestId(): string {
  return randomBytes(16).toString('base64url');
}

export function encodeRequest<T extends RequestType>(id: string, type: T, params: RequestParams<T>): string {
  return JSON.stringify({ id, type, params });
}

/** Decodes one WebSocket message from the app. */
export function parseServerFrame(text: string): IncomingFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'malformed', id: null, problem: 'the frame is not valid JSON' };
  }
  const parsed = serverFrameSchema.safeParse(json);
  if (!parsed.success) {
    return { kind: 'malformed', id: recoverId(json), problem: describeIssues(parsed.error) };
  }
  const frame = parsed.data;
  if ('event' in frame) return { kind: 'pending', event: frame.data };
  if (frame.ok) return { kind: 'success', id: frame.id, result: frame.result };
  return { kind: 'failure', id: frame.id, error: frame.error };
}

/** Checks a successful reply's `result` against the schema of the request type it answers. */
export function parseResult<T extends RequestType>(type: T, result: unknown): ParsedResult<T> {
  const parsed = resultSchemas[type].safeParse(result);
  if (!parsed.success) return { ok: false, problem: describeIssues(parsed.error) };
  return { ok: true, value: parsed.data as RequestResult<T> };
}

function recoverId(json: unknown): string | null {
  if (typeof json !== 'object' || json === null || !('id' in json)) return null;
  const id = requestIdSchema.safeParse(json.id);
  return id.success ? id.data : null;
}
