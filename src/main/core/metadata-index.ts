/**
 * The metadata index (`index.json` in the data dir): which secrets exist per
 * server, with created / updated / last-used times and the "rejected by the
 * server" flag. Never values — those live only in the keychain.
 *
 * Keychain writes are not transactional with this file, so every change is
 * journalled: the intent goes into `pending` (written atomically) before the
 * keychain is touched, and is cleared with the result afterwards. At start the
 * vault replays what is still pending against the keychain (see vault.ts).
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';

import { z } from 'zod';

import { secretNameSchema, serverNameSchema } from '../../shared/bridge-protocol.js';
import { isNotFound } from '../../shared/node-io.js';
import { isSymlinkRefusal, readFileNoFollow, writeFileAtomic } from './atomic-file.js';

export const INDEX_FILE_NAME = 'index.json';

const secretMetaSchema = z.object({
  created: z.number(),
  updated: z.number(),
  lastUsed: z.number().optional(),
  /** Set when the MCP server reported the value as rejected; the next read asks for a new one. */
  invalidated: z.object({ at: z.number(), reason: z.string().optional() }).optional(),
  /** Found in the keychain at start without an index entry (e.g. the app died mid-write). */
  recovered: z.boolean().optional(),
});
export type SecretMeta = z.infer<typeof secretMetaSchema>;

const pendingOpSchema = z.object({
  op: z.enum(['put', 'delete']),
  server: serverNameSchema,
  name: secretNameSchema,
  at: z.number(),
});
export type PendingOp = z.infer<typeof pendingOpSchema>;

const indexFileSchema = z.object({
  version: z.literal(1),
  servers: z.record(serverNameSchema, z.record(secretNameSchema, secretMetaSchema)),
  pending: z.array(pendingOpSchema),
});
export type IndexData = z.infer<typeof indexFileSchema>;

export interface LoadedIndex {
  readonly data: IndexData;
  /** Set when the file existed but could not be parsed; it was moved aside to this path. */
  readonly quarantinedTo?: string;
}

export function emptyIndex(): IndexData {
  return { version: 1, servers: dict(), pending: [] };
}

/**
 * A dictionary without a prototype. Server and secret names come from clients,
 * and names such as `constructor` or `prototype` must never reach
 * Object.prototype through `servers[server][name]`.
 */
export function dict<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) out[key] = value;
  return out;
}

export async function loadIndex(dataDir: string, now: number): Promise<LoadedIndex> {
  const path = join(dataDir, INDEX_FILE_NAME);
  let text: string | undefined;
  try {
    text = await readFileNoFollow(path);
  } catch (error) {
    if (isNotFound(error)) return { data: emptyIndex() };
    // A symlink is never read through: it is moved aside like an unreadable file.
    if (!isSymlinkRefusal(error)) throw error;
  }
  const parsed = text === undefined ? undefined : safeParseJson(text);
  const result = indexFileSchema.safeParse(parsed);
  if (result.success) {
    const servers = dict(Object.entries(result.data.servers).map(([server, entries]) => [server, dict(Object.entries(entries))] as const));
    return { data: { ...result.data, servers } };
  }
  // A file we cannot read (or a link) is kept for inspection, never overwritten.
  const quarantinedTo = `${path}.unreadable-${now}`;
  await rename(path, quarantinedTo);
  return { data: emptyIndex(), quarantinedTo };
}

export async function saveIndex(dataDir: string, data: IndexData): Promise<void> {
  await writeFileAtomic(join(dataDir, INDEX_FILE_NAME), `${JSON.stringify(data, null, 1)}\n`);
}

function safeParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
