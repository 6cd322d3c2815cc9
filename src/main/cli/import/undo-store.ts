/**
 * The undo records of `keyhold import`, in the data directory
 * (`import-undo.json`, mode 0600, written atomically). They hold no secret
 * value: each moved value is a hole in the entry's old text, and `--undo`
 * fills it from the keychain after an approval. Imports of several runs
 * accumulate; an entry's record is dropped once it is undone.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { z } from 'zod';

import { ensurePrivateDir, writeFileAtomic } from '../../core/atomic-file.js';
import type { ClientConfig } from './client-configs.js';
import type { UndoEntry } from './import-plan.js';

export const UNDO_FILE = 'import-undo.json';

const undoEntrySchema = z.object({
  name: z.string(),
  keyPath: z.array(z.string()),
  server: z.string(),
  rewritten: z.string(),
  template: z.string(),
  holes: z.array(z.object({ name: z.string(), canonical: z.boolean() })),
});

const undoFileSchema = z.object({
  version: z.literal(1),
  files: z.array(
    z.object({
      client: z.string(),
      path: z.string(),
      format: z.enum(['jsonc', 'toml']),
      mapPaths: z.array(z.array(z.string())),
      entries: z.array(undoEntrySchema),
    }),
  ),
});

export type UndoFile = z.infer<typeof undoFileSchema>;
export type UndoFileRecord = UndoFile['files'][number];

export async function readUndo(dataDir: string): Promise<UndoFile> {
  let text: string;
  try {
    text = await readFile(join(dataDir, UNDO_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, files: [] };
    throw error;
  }
  const parsed = undoFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${join(dataDir, UNDO_FILE)} is not an undo record keyhold understands`);
  return parsed.data;
}

export async function writeUndo(dataDir: string, undo: UndoFile): Promise<void> {
  await ensurePrivateDir(dataDir);
  await writeFileAtomic(join(dataDir, UNDO_FILE), `${JSON.stringify(undo, null, 1)}\n`, 0o600);
}

/** `undo` with `entries` of `config` added (a later import of the same entry replaces the earlier record). */
export function withEntries(undo: UndoFile, config: ClientConfig, entries: readonly UndoEntry[]): UndoFile {
  const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((k, i) => k === b[i]);
  const existing = undo.files.find((f) => f.path === config.path);
  const kept = (existing?.entries ?? []).filter((old) => !entries.some((e) => same(e.keyPath, old.keyPath)));
  const record: UndoFileRecord = {
    client: config.client,
    path: config.path,
    format: config.format,
    mapPaths: config.mapPaths.map((p) => [...p]),
    entries: [...kept, ...entries.map((e) => ({ ...e, keyPath: [...e.keyPath], holes: [...e.holes] }))],
  };
  return { version: 1, files: [...undo.files.filter((f) => f.path !== config.path), record] };
}
