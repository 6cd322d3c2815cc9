/**
 * A keychain in memory: the `Keychain` interface over a map, for the
 * published test kit (`@keyhold/bridge/testing`) and the core's own unit
 * tests. Nothing is persisted and no native module is involved. `peek` reads
 * a value synchronously, for a test's assertions.
 */
import type { Keychain } from './keychain.js';

export class MemoryKeychain implements Keychain {
  private readonly services = new Map<string, Map<string, string>>();

  async get(service: string, account: string): Promise<string | null> {
    return this.peek(service, account) ?? null;
  }

  async set(service: string, account: string, value: string): Promise<void> {
    const accounts = this.services.get(service) ?? new Map<string, string>();
    accounts.set(account, value);
    this.services.set(service, accounts);
  }

  async delete(service: string, account: string): Promise<boolean> {
    return this.services.get(service)?.delete(account) ?? false;
  }

  async accounts(service: string): Promise<string[]> {
    return [...(this.services.get(service)?.keys() ?? [])];
  }

  /** The value stored under service and account, or undefined. */
  peek(service: string, account: string): string | undefined {
    return this.services.get(service)?.get(account);
  }
}
