/**
 * Session grants: "Allow for session" lets one server connection read the
 * named secrets again without a prompt, until the connection closes, the TTL
 * runs out, or the user revokes it. "Allow" (once) and "Deny" leave nothing
 * behind. Grants live in memory only: an app restart ends every session.
 *
 * Every way a grant ends (revoke, Lock, disconnect, expiry, a replaced,
 * deleted or rejected name) goes through `removeWhere`, which tells
 * `onRemoved` listeners which grants ended: the value cache (value-cache.ts)
 * drops what those grants covered. Expiry is checked on every `covers` and by
 * a timer set for the next expiry, so an idle grant's cached values do not
 * outlive it.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

import type { SecretName, ServerName } from '../../shared/bridge-protocol.js';
import { GRANT_TTL_MINUTES } from '../../shared/domain.js';

export const DEFAULT_GRANT_TTL_MS = GRANT_TTL_MINUTES.default * 60_000;
/** setTimeout's largest delay; a later expiry re-arms the timer when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SessionGrant {
  readonly id: string;
  /** The bridge connection the grant is bound to. */
  readonly sessionId: string;
  readonly server: ServerName;
  readonly pid: number;
  readonly names: readonly SecretName[];
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface GrantStoreOptions {
  readonly ttlMs?: number;
  readonly now?: () => number;
}

export class GrantStore {
  private readonly grants = new Map<string, SessionGrant>();
  private readonly events = new EventEmitter();
  private ttl: number;
  private expiryTimer: NodeJS.Timeout | undefined;
  private nextExpiry = Number.POSITIVE_INFINITY;

  constructor(private readonly options: GrantStoreOptions = {}) {
    this.ttl = options.ttlMs ?? DEFAULT_GRANT_TTL_MS;
  }

  get ttlMs(): number {
    return this.ttl;
  }

  /** Applies to grants made from now on; existing grants keep their expiry. */
  setTtl(ttlMs: number): void {
    this.ttl = ttlMs;
  }

  grant(sessionId: string, server: ServerName, pid: number, names: readonly SecretName[]): SessionGrant {
    const createdAt = this.now();
    const grant: SessionGrant = {
      id: randomUUID(),
      sessionId,
      server,
      pid,
      names: [...new Set(names)].sort(),
      createdAt,
      expiresAt: createdAt + this.ttl,
    };
    this.grants.set(grant.id, grant);
    this.scheduleExpiry();
    this.changed();
    return grant;
  }

  /** True when live grants of this session cover every name. Expired grants are dropped on the way. */
  covers(sessionId: string, server: ServerName, names: readonly SecretName[]): boolean {
    this.dropExpired();
    return names.every((name) => this.coversName(sessionId, server, name));
  }

  list(): SessionGrant[] {
    this.dropExpired();
    return [...this.grants.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  revoke(grantId: string): boolean {
    return this.removeWhere((grant) => grant.id === grantId) > 0;
  }

  /** "Lock": ends every session grant. Returns how many there were. */
  revokeAll(): number {
    return this.removeWhere(() => true);
  }

  /** Ends grants that include any of these names (e.g. the secret was replaced, deleted or rejected). */
  revokeNames(server: ServerName, names: readonly SecretName[]): number {
    return this.removeWhere((grant) => grant.server === server && grant.names.some((name) => names.includes(name)));
  }

  /** The connection closed: its grants end with it. */
  endSession(sessionId: string): number {
    return this.removeWhere((grant) => grant.sessionId === sessionId);
  }

  onChange(listener: () => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  /** Called with the grants that just ended, whatever ended them, before `onChange` listeners. */
  onRemoved(listener: (removed: readonly SessionGrant[]) => void): () => void {
    this.events.on('removed', listener);
    return () => this.events.off('removed', listener);
  }

  /** Stops the expiry timer (at shutdown). Grants still expire on the next `covers` or `list`. */
  dispose(): void {
    this.clearTimer();
  }

  private coversName(sessionId: string, server: ServerName, name: SecretName): boolean {
    for (const grant of this.grants.values()) {
      if (grant.sessionId === sessionId && grant.server === server && grant.names.includes(name)) return true;
    }
    return false;
  }

  private dropExpired(): void {
    const now = this.now();
    if (now < this.nextExpiry) return;
    this.removeWhere((grant) => grant.expiresAt <= now);
  }

  private removeWhere(predicate: (grant: SessionGrant) => boolean): number {
    const removed: SessionGrant[] = [];
    for (const [id, grant] of this.grants) {
      if (predicate(grant)) {
        this.grants.delete(id);
        removed.push(grant);
      }
    }
    if (removed.length > 0) {
      this.scheduleExpiry();
      this.events.emit('removed', removed);
      this.changed();
    }
    return removed.length;
  }

  /** One unref'd timer for the earliest expiry. */
  private scheduleExpiry(): void {
    let next = Number.POSITIVE_INFINITY;
    for (const grant of this.grants.values()) next = Math.min(next, grant.expiresAt);
    if (next === this.nextExpiry) return;
    this.clearTimer();
    if (next === Number.POSITIVE_INFINITY) return;
    this.nextExpiry = next;
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      this.nextExpiry = Number.NEGATIVE_INFINITY;
      this.dropExpired();
      this.scheduleExpiry();
    }, Math.min(Math.max(0, next - this.now()), MAX_TIMER_MS)).unref();
  }

  private clearTimer(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.nextExpiry = Number.POSITIVE_INFINITY;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private changed(): void {
    this.events.emit('change');
  }
}
