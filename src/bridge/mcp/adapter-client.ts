/**
 * The bridge client of an MCP adapter (`KeyholdMcp`, `KeyholdFastMcp`): the
 * one given in the options, or a new one named after the server. `owned`
 * says whether the adapter's `close()` closes it.
 */
import { KeyholdClient } from '../client.js';
import type { DiscoveryOptions } from '../discovery.js';

/** The part of an adapter's options that makes its client. */
export interface AdapterClientOptions extends DiscoveryOptions {
  readonly name: string;
  readonly version?: string;
  readonly timeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly client?: KeyholdClient;
}

export function adapterClient(options: AdapterClientOptions): { readonly client: KeyholdClient; readonly owned: boolean } {
  if (options.client !== undefined) return { client: options.client, owned: false };
  const client = new KeyholdClient({
    server: options.version === undefined ? { name: options.name } : { name: options.name, version: options.version },
    url: options.url,
    token: options.token,
    dataDir: options.dataDir,
    env: options.env,
    requestTimeoutMs: options.timeoutMs,
    connectTimeoutMs: options.connectTimeoutMs,
  });
  return { client, owned: true };
}
