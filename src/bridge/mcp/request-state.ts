/**
 * The `requestState` of a modern-era `input_required` round. It travels through
 * the MCP client and comes back as attacker-controlled input, so it is sealed:
 *
 *   base64url(payload) "." base64url(HMAC-SHA256(key, payload))
 *
 * with a key made per process (random, never leaves memory: a state from
 * another server process, or from before a restart, does not verify). The
 * payload binds it to one parked Keyhold request, the tool, a digest of the
 * tool's arguments and an expiry; a nonce makes each state usable once.
 * Opening checks all of it and says what was wrong, without ever opening a
 * window. The payload holds no secret and no verification code.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { KeyholdError } from '../../shared/keyhold-error.js';

export interface StateClaims {
  /** The parked Keyhold request the retry continues. */
  readonly parked: string;
  readonly tool: string;
  /** `argumentsDigest(args)` of the call that got the state. */
  readonly args: string;
}

interface SealedPayload extends StateClaims {
  readonly v: 1;
  readonly exp: number;
  readonly nonce: string;
}

const MAX_STATE_CHARS = 2_048;

export class RequestStateSealer {
  private readonly key: Buffer;
  /** Nonces already used, with their expiry (dropped once expired: the state is refused for its age then). */
  private readonly used = new Map<string, number>();

  constructor(
    key: Buffer = randomBytes(32),
    private readonly now: () => number = Date.now,
  ) {
    this.key = key;
  }

  seal(claims: StateClaims, expiresAt: number): string {
    const payload: SealedPayload = { v: 1, ...claims, exp: expiresAt, nonce: randomBytes(12).toString('base64url') };
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /**
   * The claims of a state that verifies, is not expired, matches this call and
   * was not used before (it is used now). Else a KeyholdError `invalid_request`.
   */
  open(state: string, expected: Omit<StateClaims, 'parked'>): StateClaims {
    const payload = this.verify(state);
    if (payload.tool !== expected.tool || payload.args !== expected.args) {
      throw invalid('it belongs to another tool call (different tool or arguments)');
    }
    const now = this.now();
    if (payload.exp <= now) throw invalid('it has expired');
    this.forgetExpired(now);
    if (this.used.has(payload.nonce)) throw invalid('it was already used');
    this.used.set(payload.nonce, payload.exp);
    return { parked: payload.parked, tool: payload.tool, args: payload.args };
  }

  private verify(state: string): SealedPayload {
    if (state.length > MAX_STATE_CHARS) throw invalid('it is too long');
    const [body, tag, extra] = state.split('.');
    if (body === undefined || tag === undefined || extra !== undefined || body === '' || tag === '') throw invalid('it is not a Keyhold state');
    const expected = this.mac(body);
    const presented = Buffer.from(tag, 'base64url');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) throw invalid('it was altered or minted elsewhere');
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw invalid('it is not a Keyhold state');
    }
    if (!isPayload(payload)) throw invalid('it is not a Keyhold state');
    return payload;
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(`keyhold-request-state\u0000${body}`).digest();
  }

  private forgetExpired(now: number): void {
    for (const [nonce, exp] of this.used) if (exp <= now) this.used.delete(nonce);
  }
}

/** A digest of a tool's arguments that does not depend on key order. */
export function argumentsDigest(args: unknown): string {
  return createHash('sha256').update(stableJson(args)).digest('base64url');
}

function stableJson(value: unknown, depth = 0): string {
  if (depth > 64) return '"…"';
  if (Array.isArray(value)) return `[${value.map((item) => stableJson(item, depth + 1)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item, depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isPayload(value: unknown): value is SealedPayload {
  if (value === null || typeof value !== 'object') return false;
  const p = value as Record<string, unknown>;
  return p.v === 1 && typeof p.parked === 'string' && typeof p.tool === 'string' && typeof p.args === 'string' && typeof p.exp === 'number' && typeof p.nonce === 'string';
}

function invalid(why: string): KeyholdError {
  return new KeyholdError('invalid_request', `The retry carried a Keyhold request state that cannot be used: ${why}. Nothing was asked; run the tool again.`);
}
