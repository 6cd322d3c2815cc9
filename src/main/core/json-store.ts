/**
 * A small JSON document in the data dir, validated with its schema on load
 * and written atomically. A file that does not parse is moved aside (never
 * overwritten) and the default is used.
 */
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

import type { z } from 'zod';

import { writeFileAtomic } from './atomic-file.js';
import { isNotFound } from '../../shared/node-io.js';

export async function loadJson<S extends z.ZodType>(dataDir: string, fileName: string, schema: S, fallback: () => z.output<S>): Promise<z.output<S>> {
  const path = join(dataDir, fileName);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return fallback();
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
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
