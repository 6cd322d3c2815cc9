/**
 * The OS keychain, behind a four-method interface so the vault can be tested
 * with a fault-injecting wrapper. The real one is `@napi-rs/keyring`: macOS
 * Keychain, Windows Credential Manager, Secret Service on Linux.
 *
 * On Linux the entry is pinned to the Secret Service: the library would
 * otherwise fall back silently to the kernel keyring, which forgets every
 * value at reboot — a silent loss we refuse. No Secret Service → `unavailable`.
 *
 * The native module is imported on first use, not when this module loads: the
 * core bundled into `@keyhold/bridge/testing` (with a MemoryKeychain) never
 * loads it, and that package does not depend on it.
 */
import type * as NapiKeyring from '@napi-rs/keyring';
import type { AsyncEntry, EntryOptions } from '@napi-rs/keyring';

import { KeyholdError } from '../../shared/keyhold-error.js';

export const KEYCHAIN_SERVICE_PREFIX = 'keyhold/';

export interface Keychain {
  get(service: string, account: string): Promise<string | null>;
  set(service: string, account: string, value: string): Promise<void>;
  /** Resolves true when an entry was deleted, false when there was none. */
  delete(service: string, account: string): Promise<boolean>;
  /** Account names stored under a service (values are read and dropped at once). */
  accounts(service: string): Promise<string[]>;
}

export function keychainService(server: string): string {
  return `${KEYCHAIN_SERVICE_PREFIX}${server}`;
}

const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

/** How many entry handles the system keychain keeps open (each holds a Secret Service session). */
export const MAX_KEYCHAIN_HANDLES = 256;

/**
 * The OS keychain through `@napi-rs/keyring`. Entry handles are kept and
 * reused: on Linux a fresh handle opens a new Secret Service session (a D-Bus
 * round trip plus a key exchange, ~5 ms), a kept one reads in ~0.5 ms. A
 * handle holds no value, only the session; a locked collection still refuses
 * a kept handle (checked in test/integration/fault-keychain.test.ts). A handle
 * that fails is dropped; when a kept handle fails for a reason other than a
 * lock (its session died with a restarted keyring daemon), the operation is
 * tried once more on a fresh one.
 */
export function createSystemKeychain(): Keychain {
  const handles = new EntryHandles(MAX_KEYCHAIN_HANDLES);
  return {
    get: (service, account) => guard('read', () => handles.use(service, account, (entry) => entry.getPassword())),
    set: (service, account, value) => guard('write', () => handles.use(service, account, (entry) => entry.setPassword(value))),
    delete: (service, account) =>
      guard('delete', async () => {
        try {
          return await handles.use(service, account, (entry) => entry.deletePassword());
        } finally {
          handles.forget(service, account);
        }
      }),
    accounts: (service) =>
      guard('list', async () => (await (await keyring()).findCredentialsAsync(service)).map((credential) => credential.account)),
  };
}

let loaded: Promise<typeof NapiKeyring> | undefined;

/** `@napi-rs/keyring`, loaded once, on the first keychain call. */
function keyring(): Promise<typeof NapiKeyring> {
  loaded ??= import('@napi-rs/keyring');
  return loaded;
}

/** A bounded, least-recently-used set of entry handles by service and account. */
class EntryHandles {
  private readonly entries = new Map<string, AsyncEntry>();

  constructor(private readonly max: number) {}

  async use<T>(service: string, account: string, run: (entry: AsyncEntry) => Promise<T>): Promise<T> {
    const key = `${service}\u0000${account}`;
    const kept = this.entries.get(key);
    if (kept !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, kept);
      try {
        return await run(kept);
      } catch (error) {
        if (this.entries.get(key) === kept) this.entries.delete(key);
        if (isLockRefusal(error)) throw error;
      }
    }
    const fresh = new (await keyring()).AsyncEntry(service, account, ENTRY_OPTIONS);
    const result = await run(fresh);
    this.entries.set(key, fresh);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value ?? key);
    return result;
  }

  forget(service: string, account: string): void {
    this.entries.delete(`${service}\u0000${account}`);
  }
}

/** A locked collection: asking again would only show the user a second unlock prompt. */
function isLockRefusal(error: unknown): boolean {
  return /locked|prompt|dismissed/i.test(error instanceof Error ? error.message : String(error));
}

async function guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new KeyholdError('unavailable', `The OS keychain could not ${operation} the entry: ${describeKeychainFailure(error)}`, {
      cause: error,
    });
  }
}

/** The library's message (it names the platform failure, never a value), with a hint for the common Linux case. */
export function describeKeychainFailure(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const firstLine = raw.split('\n')[0]?.slice(0, 300) ?? 'unknown error';
  if (process.platform === 'linux' && /secret|d-?bus|zbus|bus address|platform|no storage|locked|prompt/i.test(raw)) {
    return `${firstLine}. Is a Secret Service (GNOME Keyring or KWallet) running and unlocked in this session?`;
  }
  return firstLine;
}
