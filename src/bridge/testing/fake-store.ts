/**
 * The fake app's memory: secret values per server (what the keychain holds in
 * the real app), which of them the MCP server reported as rejected, and the
 * session grants of each connection. Nothing here is persisted.
 */
import type { SecretName } from '../../shared/bridge-protocol.js';

interface StoredValue {
  value: string;
  /** Set by `secrets.invalidate`: the next `get` asks for a new value. */
  rejected?: { readonly reason?: string };
}

export class FakeStore {
  private readonly values = new Map<string, Map<SecretName, StoredValue>>();
  /** Session grants: connection id → server → names. */
  private readonly grants = new Map<string, Map<string, Set<SecretName>>>();

  constructor(seed: Readonly<Record<string, Readonly<Record<string, string>>>> = {}) {
    for (const [server, secrets] of Object.entries(seed)) {
      for (const [name, value] of Object.entries(secrets)) this.set(server, name, value);
    }
  }

  get(server: string, name: SecretName): string | undefined {
    return this.values.get(server)?.get(name)?.value;
  }

  has(server: string, name: SecretName): boolean {
    return this.values.get(server)?.has(name) ?? false;
  }

  /** Stores (or replaces) a value; a replaced value loses its rejection and every session grant for it ends. */
  set(server: string, name: SecretName, value: string): void {
    const replaced = this.has(server, name);
    const secrets = this.values.get(server) ?? new Map<SecretName, StoredValue>();
    this.values.set(server, secrets);
    secrets.set(name, { value });
    if (replaced) this.revoke(server, [name]);
  }

  delete(server: string, name: SecretName): boolean {
    this.revoke(server, [name]);
    return this.values.get(server)?.delete(name) ?? false;
  }

  names(server: string): SecretName[] {
    return [...(this.values.get(server)?.keys() ?? [])];
  }

  rejection(server: string, name: SecretName): { readonly reason?: string } | undefined {
    return this.values.get(server)?.get(name)?.rejected;
  }

  /** Marks stored values as rejected and ends their session grants; returns the names that were stored. */
  reject(server: string, names: readonly SecretName[], reason: string | undefined): SecretName[] {
    const marked: SecretName[] = [];
    for (const name of names) {
      const stored = this.values.get(server)?.get(name);
      if (stored === undefined) continue;
      stored.rejected = reason === undefined ? {} : { reason };
      marked.push(name);
    }
    this.revoke(server, names);
    return marked;
  }

  grant(connection: string, server: string, names: readonly SecretName[]): void {
    const byServer = this.grants.get(connection) ?? new Map<string, Set<SecretName>>();
    this.grants.set(connection, byServer);
    const granted = byServer.get(server) ?? new Set<SecretName>();
    byServer.set(server, granted);
    for (const name of names) granted.add(name);
  }

  covers(connection: string, server: string, names: readonly SecretName[]): boolean {
    const granted = this.grants.get(connection)?.get(server);
    return granted !== undefined && names.every((name) => granted.has(name));
  }

  /** Every session grant, as `{ connection, server, names }`. */
  listGrants(): Array<{ connection: string; server: string; names: SecretName[] }> {
    const out: Array<{ connection: string; server: string; names: SecretName[] }> = [];
    for (const [connection, byServer] of this.grants) {
      for (const [server, names] of byServer) if (names.size > 0) out.push({ connection, server, names: [...names] });
    }
    return out;
  }

  endSession(connection: string): void {
    this.grants.delete(connection);
  }

  /** Ends every session grant (like "Lock" in the tray). */
  revokeAll(): void {
    this.grants.clear();
  }

  private revoke(server: string, names: readonly SecretName[]): void {
    for (const byServer of this.grants.values()) {
      const granted = byServer.get(server);
      for (const name of names) granted?.delete(name);
    }
  }
}
