/**
 * `bridge.json`: how MCP servers on this machine find the running app
 * (`{ url, token, pid, version }`, mode 0600, in the data dir). Written
 * atomically at start with a new token; removed at a clean stop, but only if
 * it is still ours (a second instance may have replaced it).
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { DISCOVERY_FILE_NAME, discoveryFileSchema, type DiscoveryFile } from '../../shared/bridge-protocol.js';
import { ensurePrivateDir, writeFileAtomic } from './atomic-file.js';
import { isNotFound } from '../../shared/node-io.js';

export function discoveryFilePath(dataDir: string): string {
  return join(dataDir, DISCOVERY_FILE_NAME);
}

export async function writeDiscoveryFile(dataDir: string, content: DiscoveryFile): Promise<void> {
  await ensurePrivateDir(dataDir);
  await writeFileAtomic(discoveryFilePath(dataDir), `${JSON.stringify(content, null, 2)}\n`, 0o600);
}

export async function readDiscoveryFile(dataDir: string): Promise<DiscoveryFile | undefined> {
  try {
    const parsed = discoveryFileSchema.safeParse(JSON.parse(await readFile(discoveryFilePath(dataDir), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    if (isNotFound(error) || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

export async function removeDiscoveryFile(dataDir: string, token: string): Promise<void> {
  const current = await readDiscoveryFile(dataDir).catch(() => undefined);
  if (current?.token === token) await rm(discoveryFilePath(dataDir), { force: true });
}
