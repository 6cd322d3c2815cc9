/**
 * `app.store`: a test's view of the fake app's keychain, index and session
 * grants. Reads are synchronous; changes go through the core's use cases (as
 * the manager would make them), so they end grants and log like the app.
 * Its constructor takes plain functions, so the published declarations name
 * no core type.
 */
import type { SecretName } from '../../shared/bridge-protocol.js';

/** What the store reads and changes (the fake app passes the real core's). */
export interface FakeStoreSource {
  readonly value: (server: string, name: SecretName) => string | undefined;
  readonly names: (server: string) => SecretName[];
  readonly rejection: (server: string, name: SecretName) => { readonly reason?: string } | undefined;
  readonly grants: () => Array<{ connection: string; server: string; names: SecretName[] }>;
  readonly set: (server: string, values: Readonly<Record<SecretName, string>>) => Promise<void>;
  readonly delete: (server: string, name: SecretName) => Promise<boolean>;
  readonly revokeAll: () => number;
}

export class FakeStore {
  constructor(private readonly source: FakeStoreSource) {}

  /** The stored value, or undefined. */
  get(server: string, name: SecretName): string | undefined {
    return this.has(server, name) ? this.source.value(server, name) : undefined;
  }

  has(server: string, name: SecretName): boolean {
    return this.source.names(server).includes(name);
  }

  /** Stores (or replaces) a value: a replaced value loses its rejection and its session grants end. */
  set(server: string, name: SecretName, value: string): Promise<void> {
    return this.source.set(server, { [name]: value });
  }

  /** Deletes a value, its grants and its always-allow rules; false when nothing was stored. */
  delete(server: string, name: SecretName): Promise<boolean> {
    return this.source.delete(server, name);
  }

  /** The server's stored names, sorted. */
  names(server: string): SecretName[] {
    return this.source.names(server);
  }

  /** Set after `secrets.invalidate`: the next `get` asks for a new value. */
  rejection(server: string, name: SecretName): { readonly reason?: string } | undefined {
    return this.source.rejection(server, name);
  }

  /** Every live session grant, as `{ connection, server, names }` (connection: the bridge session id). */
  listGrants(): Array<{ connection: string; server: string; names: SecretName[] }> {
    return this.source.grants();
  }

  /** Ends every session grant ("Lock" in the tray). Returns how many there were. */
  revokeAll(): number {
    return this.source.revokeAll();
  }
}
