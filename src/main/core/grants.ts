/**
 * Session grants: "Allow for session" lets one server connection read the
 * named secrets again without a prompt, until the connection closes, the TTL
 * runs out, or the user revokes it. "Allow" (once) and "Deny" leave nothing
 * behind. Grants live in memory only: an app restart ends every session.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

import type { SecretName, ServerName } from '../../shared/bridge-protocol.js';

export const DEFAULT_GRANT_TTL_MS = 8 * 60 * 60 * 1000;

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
    this.changed();
    return grant;
  }

  /** True when live grants of this session cover every name. Expired grants are dropped on the way. */
  covers(sessionId: string, server: ServerName, names: readonly SecretName[]): boolean {
    this.dropExpired();
    const covered = new Set<SecretName>();
    for (const grant of this.grants.values()) {
      if (grant.sessionId === sessionId && grant.server === server) for (const name of grant.names) covered.add(name);
    }
    return names.every((name) => covered.has(name));
  }

  list(): SessionGrant[] {
    this.dropExpired();
    return [...this.grants.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  revoke(grantId: string): boolean {
    const removed = this.grants.delete(grantId);
    if (removed) this.changed();
    return removed;
  }

  /** "Lock": ends every session grant. Returns how many there were. */
  revokeAll(): number {
    const count = this.grants.size;
    this.grants.clear();
    if (count > 0) this.changed();
    return count;
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

  private dropExpired(): void {
    const now = this.now();
    this.removeWhere((grant) => grant.expiresAt <= now);
  }

  private removeWhere(predicate: (grant: SessionGrant) => boolean): number {
    let removed = 0;
    for (const [id, grant] of this.grants) {
      if (predicate(grant)) {
        this.grants.delete(id);
        removed += 1;
      }
    }
    if (removed > 0) this.changed();
    return removed;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private changed(): void {
    this.events.emit('change');
  }
}
