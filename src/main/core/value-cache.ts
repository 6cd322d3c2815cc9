/**
 * Values read under a session grant, kept in memory for as long as that grant
 * lives, so a granted read answers without a keychain round trip.
 *
 * Only values a connection may read again without asking are kept: the names
 * its live "Allow for session" grants cover. "Allow" (once), rules, entry
 * windows and the manager's reveal never fill the cache. Entries are dropped
 * the moment anything could make them stale or unauthorised:
 *
 *   - the grant ends: revoke, Lock (revoke all), disconnect, expiry, or a
 *     replaced / deleted / rejected name (every path goes through
 *     `GrantStore.onRemoved`);
 *   - the vault writes the name (put, remove, invalidate), whoever asked;
 *   - the core stops.
 *
 * A read that was already on its way to the keychain when any of those
 * happened is not cached (the epoch check in `keep`), so a value read before
 * a replace cannot be stored after it. Values are held as Buffers and zeroed
 * when dropped; JavaScript strings made from them for replies are not (V8
 * strings cannot be wiped). See SECURITY.md, "Grant-scoped value cache".
 */
import type { SecretName, ServerName } from '../../shared/bridge-protocol.js';
import type { GrantStore, SessionGrant } from './grants.js';

interface SessionValues {
  readonly server: ServerName;
  readonly values: Map<SecretName, Buffer>;
}

export interface ValueCacheSources {
  readonly grants: Pick<GrantStore, 'covers' | 'onRemoved'>;
  /** Told about every write of the vault (put, remove, invalidate), by server and names. */
  readonly onVaultWrite: (listener: (server: ServerName, names: readonly SecretName[]) => void) => () => void;
}

export class GrantValueCache {
  private readonly sessions = new Map<string, SessionValues>();
  private generation = 0;
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly sources: ValueCacheSources) {
    this.unsubscribe = [
      sources.grants.onRemoved((removed) => this.grantsEnded(removed)),
      sources.onVaultWrite((server, names) => this.written(server, names)),
    ];
  }

  /** Bumped by every drop; `keep` refuses values read under an older epoch. */
  get epoch(): number {
    return this.generation;
  }

  /** How many values are held (for tests and the benchmark; never the values). */
  get size(): number {
    let count = 0;
    for (const session of this.sessions.values()) count += session.values.size;
    return count;
  }

  /**
   * The cached values of every name, or undefined when any is missing. The
   * caller has just checked that a live grant of this session covers them.
   */
  get(sessionId: string, names: readonly SecretName[]): Record<SecretName, string> | undefined {
    const session = this.sessions.get(sessionId);
    if (session === undefined) return undefined;
    const values: Record<SecretName, string> = {};
    for (const name of names) {
      const value = session.values.get(name);
      if (value === undefined) return undefined;
      values[name] = value.toString('utf8');
    }
    return values;
  }

  /**
   * Keeps values read from the keychain, if nothing was dropped since `epoch`
   * was taken (before the read began) and the session's grants still cover
   * them. Anything else is silently not cached.
   */
  keep(sessionId: string, server: ServerName, values: Readonly<Record<SecretName, string>>, epoch: number): void {
    const names = Object.keys(values);
    if (epoch !== this.generation || names.length === 0 || !this.sources.grants.covers(sessionId, server, names)) return;
    let session = this.sessions.get(sessionId);
    if (session === undefined || session.server !== server) {
      if (session !== undefined) this.dropSession(sessionId);
      session = { server, values: new Map() };
      this.sessions.set(sessionId, session);
    }
    for (const name of names) {
      wipe(session.values.get(name));
      session.values.set(name, Buffer.from(values[name] ?? '', 'utf8'));
    }
  }

  /** Drops everything (core stop) and stops listening. */
  close(): void {
    for (const sessionId of [...this.sessions.keys()]) this.dropSession(sessionId);
    this.generation += 1;
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private grantsEnded(removed: readonly SessionGrant[]): void {
    this.generation += 1;
    for (const grant of removed) {
      const session = this.sessions.get(grant.sessionId);
      if (session === undefined) continue;
      for (const name of grant.names) this.dropValue(session, name);
      if (session.values.size === 0) this.sessions.delete(grant.sessionId);
    }
  }

  private written(server: ServerName, names: readonly SecretName[]): void {
    this.generation += 1;
    for (const [sessionId, session] of this.sessions) {
      if (session.server !== server) continue;
      for (const name of names) this.dropValue(session, name);
      if (session.values.size === 0) this.sessions.delete(sessionId);
    }
  }

  private dropSession(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (session === undefined) return;
    for (const value of session.values.values()) wipe(value);
    this.sessions.delete(sessionId);
  }

  private dropValue(session: SessionValues, name: SecretName): void {
    wipe(session.values.get(name));
    session.values.delete(name);
  }
}

function wipe(buffer: Buffer | undefined): void {
  buffer?.fill(0);
}
