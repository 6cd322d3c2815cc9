/**
 * `bridge.json`: how MCP servers on this machine find the running app
 * (`{ url, token, pid, version }`, mode 0600, in the data dir). Written
 * atomically at start with a new token; removed at a clean stop, but only if
 * it is still ours (a second instance may have replaced it).
 *
 * A file can outlive its app: Windows ends a session without `before-quit`,
 * any crash skips the stop. After a reboot its pid may belong to another
 * process, so "is that Keyhold still running?" is answered by asking it
 * (`isKeyholdAnswering`): a live pid alone is not enough.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { WebSocket } from 'ws';

import { DISCOVERY_FILE_NAME, discoveryFileSchema, type DiscoveryFile } from '../../shared/bridge-protocol.js';
import { ensurePrivateDir, writeFileAtomic } from './atomic-file.js';
import { isNotFound, isProcessAlive } from '../../shared/node-io.js';

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

/** How long `isKeyholdAnswering` waits for the recorded bridge to accept its own token. */
export const ANSWER_TIMEOUT_MS = 3_000;

/**
 * True when the recorded process is alive AND a Keyhold bridge at the recorded
 * URL accepts the recorded token (the WebSocket upgrade succeeds): the app
 * that wrote this file is still running. A refused connection, any HTTP
 * answer instead of the upgrade (another server on that port, or a Keyhold
 * with another token) or no answer in time means the file is stale.
 */
export async function isKeyholdAnswering(file: DiscoveryFile, timeoutMs = ANSWER_TIMEOUT_MS): Promise<boolean> {
  if (!isProcessAlive(file.pid)) return false;
  return new Promise<boolean>((resolve) => {
    const socket = new WebSocket(file.url, { headers: { Authorization: `Bearer ${file.token}` }, perMessageDeflate: false });
    const timer = setTimeout(() => done(false), timeoutMs);
    const done = (answer: boolean): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      resolve(answer);
    };
    socket.once('open', () => done(true));
    socket.once('unexpected-response', () => done(false));
    socket.once('error', () => done(false));
  });
}
