/**
 * An in-memory stand-in for @napi-rs/keyring (AsyncEntry + findCredentialsAsync),
 * for the fake-Electron main-process test. FAKE_KEYRING=unavailable makes every
 * call fail, as a missing Secret Service does.
 */
const store = new Map<string, Map<string, string>>();

function check(): void {
  if (process.env['FAKE_KEYRING'] === 'unavailable') throw new Error('Platform secure storage failure: no Secret Service provider on the session bus');
}

export class AsyncEntry {
  constructor(
    private readonly service: string,
    private readonly account: string,
  ) {}
  async getPassword(): Promise<string | null> {
    check();
    return store.get(this.service)?.get(this.account) ?? null;
  }
  async setPassword(value: string): Promise<void> {
    check();
    const accounts = store.get(this.service) ?? new Map<string, string>();
    accounts.set(this.account, value);
    store.set(this.service, accounts);
  }
  async deletePassword(): Promise<boolean> {
    check();
    return store.get(this.service)?.delete(this.account) ?? false;
  }
}

export async function findCredentialsAsync(service: string): Promise<Array<{ account: string; password: string }>> {
  check();
  return [...(store.get(service) ?? new Map<string, string>()).entries()].map(([account, password]) => ({ account, password }));
}
