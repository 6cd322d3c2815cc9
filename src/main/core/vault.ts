/**
 * Secrets per server: values in the OS keychain (service `keyhold/<server>`,
 * account = secret name), metadata in the index. All writes go through one
 * queue, so the index and the keychain change in a fixed order:
 *
 *   1. intent journalled in the index (`pending`)   — atomic write
 *   2. keychain written / deleted
 *   3. index entry updated, intent cleared          — atomic write
 *
 * A crash between any two steps leaves an intent that `open()` settles by
 * asking the keychain what really happened, then it compares every known
 * server's keychain accounts with the index, entry for entry.
 */
import { EventEmitter } from 'node:events';

import { secretNameSchema, type SecretName, type ServerName } from '../../shared/bridge-protocol.js';
import { KeyholdError } from '../../shared/keyhold-error.js';
import { keychainService, type Keychain } from './keychain.js';
import { dict, loadIndex, saveIndex, type IndexData, type PendingOp, type SecretMeta } from './metadata-index.js';

export interface VaultOptions {
  readonly dataDir: string;
  readonly keychain: Keychain;
  readonly now?: () => number;
  /** How long last-used times may wait before they are written (they are not worth an fsync per read). */
  readonly lastUsedFlushMs?: number;
}

export interface StoredSecret extends SecretMeta {
  readonly server: ServerName;
  readonly name: SecretName;
}

export interface ReconcileReport {
  /** Keychain entries that had no index entry and were added to it. */
  readonly recovered: number;
  /** Index entries whose keychain entry was gone and that were dropped. */
  readonly dropped: number;
  /** Journalled intents settled at start. */
  readonly settled: number;
  /** Set when index.json was unreadable and was moved aside. */
  readonly quarantinedTo?: string;
}

export class Vault {
  private readonly events = new EventEmitter();
  private writes: Promise<unknown> = Promise.resolve();
  private lastUsedTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: VaultOptions,
    private readonly data: IndexData,
    readonly reconcileReport: ReconcileReport,
  ) {}

  static async open(options: VaultOptions): Promise<Vault> {
    const now = options.now ?? Date.now;
    const loaded = await loadIndex(options.dataDir, now());
    const report = await reconcile(options.keychain, loaded.data, now());
    await saveIndexOrExplain(options.dataDir, loaded.data);
    return new Vault(options, loaded.data, {
      ...report,
      quarantinedTo: loaded.quarantinedTo,
    });
  }

  servers(): ServerName[] {
    return Object.keys(this.data.servers)
      .filter((server) => Object.keys(this.data.servers[server] ?? {}).length > 0)
      .sort();
  }

  list(server?: ServerName): StoredSecret[] {
    const servers = server === undefined ? this.servers() : [server];
    return servers.flatMap((s) =>
      Object.entries(this.data.servers[s] ?? {})
        .map(([name, meta]) => ({ ...meta, server: s, name }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  }

  meta(server: ServerName, name: SecretName): SecretMeta | undefined {
    return this.data.servers[server]?.[name];
  }

  has(server: ServerName, name: SecretName): boolean {
    return this.meta(server, name) !== undefined;
  }

  /** Reads values from the keychain. A name without a keychain entry → `not_found`. */
  async read(server: ServerName, names: readonly SecretName[]): Promise<Record<SecretName, string>> {
    const service = keychainService(server);
    const values: Record<SecretName, string> = {};
    for (const name of names) {
      const value = await this.options.keychain.get(service, name);
      if (value === null) throw new KeyholdError('not_found', `No secret "${name}" is stored for server "${server}".`);
      values[name] = value;
    }
    return values;
  }

  /** Stores values (new or replaced) and clears any "rejected" flag on them. */
  put(server: ServerName, values: Readonly<Record<SecretName, string>>): Promise<void> {
    const names = Object.keys(values);
    return this.serialised(async () => {
      const at = this.now();
      await this.journal(server, names.map((name) => ({ op: 'put' as const, server, name, at })));
      const written: SecretName[] = [];
      try {
        for (const name of names) {
          await this.options.keychain.set(keychainService(server), name, values[name] ?? '');
          written.push(name);
        }
      } finally {
        const entries = written.length > 0 ? (this.data.servers[server] ??= dict()) : {};
        for (const name of written) {
          const previous = entries[name];
          entries[name] = { created: previous?.created ?? at, updated: at, lastUsed: previous?.lastUsed };
        }
        this.clearPending(server, names);
        this.written(server, names);
        await this.save();
        this.changed();
      }
    });
  }

  /** Deletes one secret. Resolves false when there was nothing to delete. */
  remove(server: ServerName, name: SecretName): Promise<boolean> {
    return this.serialised(async () => {
      const known = this.has(server, name);
      await this.journal(server, [{ op: 'delete', server, name, at: this.now() }]);
      let deleted: boolean;
      try {
        deleted = await this.options.keychain.delete(keychainService(server), name);
        delete this.data.servers[server]?.[name];
      } finally {
        this.clearPending(server, [name]);
        this.written(server, [name]);
        await this.save();
        this.changed();
      }
      return deleted || known;
    });
  }

  /** Marks stored values as rejected by the server: the next read asks the user for new ones. */
  invalidate(server: ServerName, names: readonly SecretName[], reason: string | undefined): Promise<SecretName[]> {
    return this.serialised(async () => {
      const at = this.now();
      const marked = names.filter((name) => this.has(server, name));
      for (const name of marked) {
        const meta = this.data.servers[server]?.[name];
        if (meta !== undefined) meta.invalidated = { at, reason };
      }
      if (marked.length > 0) {
        this.written(server, marked);
        await this.save();
        this.changed();
      }
      return marked;
    });
  }

  /** Records a use; written within `lastUsedFlushMs`, or at `flush()`. */
  markUsed(server: ServerName, names: readonly SecretName[]): void {
    const at = this.now();
    for (const name of names) {
      const meta = this.data.servers[server]?.[name];
      if (meta !== undefined) meta.lastUsed = at;
    }
    this.lastUsedTimer ??= setTimeout(() => {
      this.lastUsedTimer = undefined;
      void this.serialised(() => this.save()).catch(() => undefined);
    }, this.options.lastUsedFlushMs ?? 2_000).unref();
  }

  /** Writes anything not yet written and waits for queued writes. */
  async flush(): Promise<void> {
    if (this.lastUsedTimer !== undefined) {
      clearTimeout(this.lastUsedTimer);
      this.lastUsedTimer = undefined;
    }
    await this.serialised(() => this.save());
  }

  onChange(listener: () => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  /** Called synchronously for every put, remove or invalidate, with the names it touched (the value cache listens). */
  onWrite(listener: (server: ServerName, names: readonly SecretName[]) => void): () => void {
    this.events.on('write', listener);
    return () => this.events.off('write', listener);
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const result = this.writes.then(work, work);
    this.writes = result.catch(() => undefined);
    return result;
  }

  /** Step 1 of every write: the intent is on disk before the keychain is touched, or nothing happens. */
  private async journal(server: ServerName, ops: readonly PendingOp[]): Promise<void> {
    this.data.pending.push(...ops);
    try {
      await this.save();
    } catch (error) {
      this.clearPending(server, ops.map((op) => op.name));
      throw error;
    }
  }

  private clearPending(server: ServerName, names: readonly SecretName[]): void {
    this.data.pending = this.data.pending.filter((op) => op.server !== server || !names.includes(op.name));
  }

  private async save(): Promise<void> {
    await saveIndexOrExplain(this.options.dataDir, this.data);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private changed(): void {
    this.events.emit('change');
  }

  private written(server: ServerName, names: readonly SecretName[]): void {
    this.events.emit('write', server, names);
  }
}

/** Why a write to the data dir failed, in words, for the error the client and the terminal show. */
const WRITE_FAILURES: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EIO: 'an I/O error',
};

/** The index is written atomically (temp file + rename): a failed write leaves the previous index as it was. */
async function saveIndexOrExplain(dataDir: string, data: IndexData): Promise<void> {
  try {
    await saveIndex(dataDir, data);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown error';
    const why = WRITE_FAILURES[code] === undefined ? code : `${WRITE_FAILURES[code]}, ${code}`;
    throw new KeyholdError('unavailable', `Keyhold could not write its index in ${dataDir} (${why}). Free some space or make the directory writable, then try again.`, {
      cause: error,
    });
  }
}

/** Settles journalled intents, then makes the index match the keychain for every known server. */
async function reconcile(keychain: Keychain, data: IndexData, now: number): Promise<Omit<ReconcileReport, 'quarantinedTo'>> {
  let recovered = 0;
  let dropped = 0;
  const settled = data.pending.length;
  for (const op of data.pending) {
    data.servers[op.server] ??= dict();
    if (op.op === 'delete') await keychain.delete(keychainService(op.server), op.name);
  }
  data.pending = [];
  for (const [server, entries] of Object.entries(data.servers)) {
    // Only names Keyhold could have written; anything else under our service is not ours to index.
    const accounts = new Set((await keychain.accounts(keychainService(server))).filter((a) => secretNameSchema.safeParse(a).success));
    for (const name of Object.keys(entries)) {
      if (!accounts.has(name)) {
        delete entries[name];
        dropped += 1;
      }
    }
    for (const name of accounts) {
      if (entries[name] === undefined) {
        entries[name] = { created: now, updated: now, recovered: true };
        recovered += 1;
      }
    }
    if (Object.keys(entries).length === 0) delete data.servers[server];
  }
  return { recovered, dropped, settled };
}
