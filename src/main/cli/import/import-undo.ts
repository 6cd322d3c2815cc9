/**
 * `keyhold import --undo`: puts back the entries `keyhold import` rewrote.
 * For each entry in the undo record whose text is still exactly what the
 * import wrote, the moved values are read from the keychain (one approval per
 * server), filled into the entry's old text and written back — byte for byte
 * the entry it was (a value written with unusual escapes comes back in the
 * standard form, and undo says so). An entry edited since is left alone and
 * reported. The secrets stay in Keyhold (`keyhold rm` deletes them).
 */
import { cliClient, errorMessage, pendingNotice, reachApp } from '../app-client.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../command.js';
import type { ClientConfig } from './client-configs.js';
import { applyEdits, ConfigParseError, type TextEdit } from './config-entry.js';
import { loadConfig, writeConfigIfUnchanged } from './config-file.js';
import { fillTemplate, type UndoEntry } from './import-plan.js';
import { readUndo, writeUndo, type UndoFile, type UndoFileRecord } from './undo-store.js';

export interface UndoOptions {
  readonly io: CliIo;
  readonly dataDir: string;
  /** Only this config file. */
  readonly only: ClientConfig | undefined;
}

export async function runUndo({ io, dataDir, only }: UndoOptions): Promise<number> {
  let undo = await readUndo(dataDir);
  const records = undo.files.filter((f) => only === undefined || f.path === only.path);
  if (records.every((r) => r.entries.length === 0)) {
    io.stdout.write(`Nothing to undo${only === undefined ? '' : ` for ${only.path}`}.\n`);
    return EXIT_OK;
  }
  let ok = true;
  let reached = false;
  for (const record of records) {
    const result = await undoFile(record, io, () => {
      const was = reached;
      reached = true;
      return was;
    });
    ok &&= result.ok;
    undo = withoutEntries(undo, record.path, result.undone);
    await writeUndo(dataDir, undo);
  }
  return ok ? EXIT_OK : EXIT_FAILURE;
}

async function undoFile(record: UndoFileRecord, io: CliIo, appReached: () => boolean): Promise<{ ok: boolean; undone: UndoEntry[] }> {
  const config: ClientConfig = { client: record.client, path: record.path, format: record.format, mapPaths: record.mapPaths };
  let loaded;
  try {
    loaded = await loadConfig(config);
  } catch (error) {
    if (!(error instanceof ConfigParseError)) throw error;
    io.stderr.write(`keyhold import --undo: ${error.message}\n`);
    return { ok: false, undone: [] };
  }
  if (loaded === undefined) {
    io.stderr.write(`keyhold import --undo: ${record.path} is gone; its undo record is kept.\n`);
    return { ok: false, undone: [] };
  }
  let ok = true;
  const edits: TextEdit[] = [];
  const undone: UndoEntry[] = [];
  for (const entryRecord of record.entries) {
    const entry = loaded.entries.find((e) => e.keyPath.join('\u0000') === entryRecord.keyPath.join('\u0000'));
    if (entry === undefined || loaded.text.slice(entry.span.start, entry.span.end) !== entryRecord.rewritten) {
      io.stderr.write(`keyhold import --undo: ${entryRecord.name} in ${record.path} changed since it was imported; left as it is.\n`);
      ok = false;
      continue;
    }
    const client = cliClient(entryRecord.server, io);
    try {
      if (!appReached()) await reachApp(client, io);
      const names = [...new Set(entryRecord.holes.map((h) => h.name))];
      const values = await client.get(names, {
        reason: `keyhold import --undo: put ${names.join(', ')} back into the MCP client config ${record.path}`,
        onPending: pendingNotice(io, 'import --undo'),
      });
      const text = fillTemplate(entryRecord.template, entryRecord.holes.map((h) => values[h.name] ?? ''), loaded.syntax);
      edits.push({ span: entry.span, text });
      undone.push(entryRecord);
      if (entryRecord.holes.some((h) => !h.canonical)) {
        io.stdout.write(`Note: a value of ${entryRecord.name} was written with escapes in the original; it is restored in the standard form.\n`);
      }
    } catch (error) {
      io.stderr.write(`keyhold import --undo: ${entryRecord.name}: not restored: ${errorMessage(error)}\n`);
      ok = false;
    } finally {
      await client.close();
    }
  }
  if (edits.length === 0) return { ok, undone: [] };
  try {
    await writeConfigIfUnchanged(loaded, applyEdits(loaded.text, edits));
  } catch (error) {
    io.stderr.write(`keyhold import --undo: ${errorMessage(error)}\n`);
    return { ok: false, undone: [] };
  }
  for (const entry of undone) io.stdout.write(`Restored ${entry.name} in ${record.path} (its secrets stay in Keyhold: keyhold rm ${entry.server}/<name> deletes one).\n`);
  return { ok, undone };
}

function withoutEntries(undo: UndoFile, path: string, undone: readonly UndoEntry[]): UndoFile {
  return {
    version: 1,
    files: undo.files
      .map((f) => (f.path === path ? { ...f, entries: f.entries.filter((e) => !undone.some((u) => u.keyPath.join('\u0000') === e.keyPath.join('\u0000'))) } : f))
      .filter((f) => f.entries.length > 0),
  };
}
