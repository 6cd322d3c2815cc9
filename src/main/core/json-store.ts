/**
 * A small JSON document in the data dir, validated with its schema on load
 * and written atomically. A file that does not parse is moved aside (never
 * overwritten) and the default is used; so is a symlink at its path, which is
 * never read through (atomic-file.ts).
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';

import type { z } from 'zod';

import { isSymlinkRefusal, readFileNoFollow, writeFileAtomic } from './atomic-file.js';
import { isNotFound } from '../../shared/node-io.js';

export async function loadJson<S extends z.ZodType>(dataDir: string, fileName: string, schema: S, fallback: () => z.output<S>): Promise<z.output<S>> {
  const path = join(dataDir, fileName);
  let text: string | undefined;
  try {
    text = await readFileNoFollow(path);
  } catch (error) {
    if (isNotFound(error)) return fallback();
    if (!isSymlinkRefusal(error)) throw error;
  }
  let parsed: unknown;
  try {
    parsed = text === undefined ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const result = schema.safeParse(parsed);
  if (result.success) return result.data;
  await rename(path, `${path}.unreadable-${Date.now()}`);
  return fallback();
}

export async function saveJson(dataDir: string, fileName: string, data: unknown): Promise<void> {
  await writeFileAtomic(join(dataDir, fileName), `${JSON.stringify(data, null, 1)}\n`);
}
