/**
 * What an MCP server could do instead of asking Keyhold, on the same machine
 * and keychain, in the same run:
 *   - read the keychain itself with @napi-rs/keyring: a new Entry per read
 *     (what `getPassword(service, account)`-style helpers do) and one Entry
 *     kept and reused (the fastest a direct read gets);
 *   - `secret-tool lookup` (libsecret-tools), one process per read;
 *   - read an environment variable (the plaintext-config habit Keyhold replaces).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';

import { summarize, timeSequential, timeSyncBatches, type BenchResult } from '../stats.js';

const run = promisify(execFile);
const OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };
const VALUE = 'ghp_bench_0123456789abcdefghijklmnopqrstuvwxyz';

export async function benchBaselines(options: { quick: boolean }): Promise<BenchResult[]> {
  const service = `keyhold/bench-direct-${process.pid}`;
  const account = 'token';
  const kept = new AsyncEntry(service, account, OPTIONS);
  await kept.setPassword(VALUE);
  const results: BenchResult[] = [];
  try {
    if ((await kept.getPassword()) !== VALUE) throw new Error('keychain read-back failed');
    const reused = await timeSequential(options.quick ? 500 : 3_000, 50, () => kept.getPassword());
    results.push({ name: 'keychain read, reused Entry', note: '@napi-rs/keyring AsyncEntry kept open, Secret Service over D-Bus', ...summarize(reused) });
    const fresh = await timeSequential(options.quick ? 100 : 500, 10, () => new AsyncEntry(service, account, OPTIONS).getPassword());
    results.push({ name: 'keychain read, new Entry per read', note: 'new AsyncEntry each time: a new Secret Service session per read', ...summarize(fresh) });
    results.push(await secretTool(service, account, options.quick ? 20 : 100));
    process.env['KEYHOLD_BENCH_ENV_TOKEN'] = VALUE;
    const env = timeSyncBatches(options.quick ? 50 : 200, 10_000, () => process.env['KEYHOLD_BENCH_ENV_TOKEN']);
    results.push({ name: 'environment variable read', note: 'process.env lookup (timed in batches of 10,000)', ...summarize(env) });
  } finally {
    delete process.env['KEYHOLD_BENCH_ENV_TOKEN'];
    await kept.deletePassword().catch(() => false);
  }
  return results;
}

/** `secret-tool lookup service <service> username <account>`: the attributes @napi-rs/keyring stores. */
async function secretTool(service: string, account: string, count: number): Promise<BenchResult> {
  const name = 'secret-tool lookup (process per read)';
  const lookup = async (): Promise<string> => (await run('secret-tool', ['lookup', 'service', service, 'username', account])).stdout;
  try {
    if ((await lookup()) !== VALUE) return { name, skipped: 'secret-tool did not find the entry by service/username' };
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'ENOENT';
    return { name, skipped: missing ? 'secret-tool is not installed (apt-get install libsecret-tools)' : `secret-tool failed: ${String(error).slice(0, 120)}` };
  }
  return { name, note: 'libsecret-tools, one process per read', ...summarize(await timeSequential(count, 2, lookup)) };
}
