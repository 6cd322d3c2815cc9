/**
 * The OS keychain, behind a four-method interface so the vault can be tested
 * with a fault-injecting wrapper. The real one is `@napi-rs/keyring`: macOS
 * Keychain, Windows Credential Manager, Secret Service on Linux.
 *
 * On Linux the entry is pinned to the Secret Service: the library would
 * otherwise fall back silently to the kernel keyring, which forgets every
 * value at reboot — a silent loss we refuse. No Secret Service → `unavailable`.
 */
import { AsyncEntry, findCredentialsAsync, type EntryOptions } from '@napi-rs/keyring';

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

export function createSystemKeychain(): Keychain {
  const entry = (service: string, account: string): AsyncEntry => new AsyncEntry(service, account, ENTRY_OPTIONS);
  return {
    get: (service, account) => guard('read', () => entry(service, account).getPassword()),
    set: (service, account, value) => guard('write', () => entry(service, account).setPassword(value)),
    delete: (service, account) => guard('delete', () => entry(service, account).deletePassword()),
    accounts: (service) =>
      guard('list', async () => (await findCredentialsAsync(service)).map((credential) => credential.account)),
  };
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
  if (process.platform === 'linux' && /secret|dbus|d-bus|platform|no storage|locked/i.test(raw)) {
    return `${firstLine}. Is a Secret Service (GNOME Keyring or KWallet) running and unlocked in this session?`;
  }
  return firstLine;
}
