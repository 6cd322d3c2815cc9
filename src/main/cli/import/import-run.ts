/**
 * `keyhold import` at work (the command, its help and the big picture are in
 * ../import-command.ts). Order, so that a refusal changes nothing: read and
 * parse every config, report, choose, then find the app (fail fast) and ask
 * one STORE approval per server; only a server whose values were stored is
 * rewritten, and a file only if it still holds the text that was read.
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

import { resolveDataDir } from '../../../shared/data-dir.js';
import type { KeyholdClient } from '../../../bridge/client.js';
import { cliClient, errorMessage, pendingNotice, reachApp } from '../app-client.js';
import { EXIT_FAILURE, EXIT_OK, parseCommandArgs, UsageError, type CliIo } from '../command.js';
import { IMPORT_HELP } from '../import-command.js';
import { knownConfigs, namedConfig, type ClientConfig } from './client-configs.js';
import { applyEdits, ConfigParseError, type TextEdit } from './config-entry.js';
import { ConfigChangedError, loadConfig, writeConfigIfUnchanged, type LoadedConfig } from './config-file.js';
import { planServer, rewriteEdits, undoEntry, type MovedSecret, type ServerPlan, type UndoEntry } from './import-plan.js';
import { describePlan } from './import-report.js';
import { runUndo } from './import-undo.js';
import { readUndo, withEntries, writeUndo } from './undo-store.js';
import { keyholdCommandLine, type CommandLine } from '../keyhold-command.js';

interface ChosenServer {
  /** The plan as stored: its server may differ from the source's (freeServerName). */
  readonly plan: ServerPlan;
  readonly source: ServerPlan;
  readonly secrets: readonly MovedSecret[];
}

/** How many other names (`<server>-2`, `-3`, …) to try when a server's names are taken. */
const MAX_NAME_TRIES = 20;

export async function runImport(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, { config: { type: 'string' }, 'dry-run': { type: 'boolean' }, yes: { type: 'boolean' }, undo: { type: 'boolean' } });
  if (values.help === true) {
    io.stdout.write(IMPORT_HELP);
    return EXIT_OK;
  }
  if (values['dry-run'] === true && values.yes === true) throw new UsageError('--dry-run and --yes do not go together');
  const home = io.env['HOME'] ?? io.env['USERPROFILE'] ?? homedir();
  const dataDir = resolve(resolveDataDir({ env: io.env, platform: process.platform, home }));
  const keyhold = keyholdCommandLine(io.env);
  const only = values.config === undefined ? undefined : namedConfig(resolve(values.config));
  if (values.undo === true) return runUndo({ io, dataDir, only });

  const configs = only === undefined ? knownConfigs({ home, cwd: process.cwd(), platform: process.platform, env: io.env }) : [only];
  const { loaded, failed } = await loadAll(configs, only !== undefined, io);
  const plans = new Map(loaded.map((config) => [config, config.entries.map((entry) => planServer(entry, keyhold))]));
  if (loaded.length === 0 && !failed) io.stdout.write(`No MCP client config found. Looked for:\n${configs.map((c) => `  ${c.client}: ${c.path}`).join('\n')}\n`);
  report(plans, keyhold, values['dry-run'] === true, io);
  const wanted = [...plans.values()].flat().filter((plan) => plan.verdict.kind === 'import');
  if (values['dry-run'] === true || wanted.length === 0) {
    io.stdout.write(values['dry-run'] === true ? 'Dry run: nothing was stored and no file was changed.\n' : 'Nothing to import.\n');
    return failed ? EXIT_FAILURE : EXIT_OK;
  }
  const chosen = await choose(wanted, values.yes === true, io);
  if (chosen.size === 0) {
    io.stdout.write('Nothing imported.\n');
    return failed ? EXIT_FAILURE : EXIT_OK;
  }

  const stored = await storeValues([...plans.values()].flat().filter((plan) => chosen.has(plan)), io);
  let ok = !failed && stored.length === chosen.size;
  for (const [config, configPlans] of plans) {
    const done = stored.filter((s) => configPlans.includes(s.source));
    if (done.length > 0 && !(await rewriteConfig(config, done, keyhold, dataDir, io))) ok = false;
  }
  return ok ? EXIT_OK : EXIT_FAILURE;
}

async function loadAll(configs: readonly ClientConfig[], named: boolean, io: CliIo): Promise<{ loaded: LoadedConfig[]; failed: boolean }> {
  const loaded: LoadedConfig[] = [];
  let failed = false;
  for (const config of configs) {
    try {
      const one = await loadConfig(config);
      if (one !== undefined) loaded.push(one);
      else if (named) throw new UsageError(`${config.path}: no such file`);
    } catch (error) {
      if (!(error instanceof ConfigParseError)) throw error;
      io.stderr.write(`keyhold import: ${error.message}\n`);
      failed = true;
    }
  }
  return { loaded, failed };
}

function report(plans: ReadonlyMap<LoadedConfig, readonly ServerPlan[]>, keyhold: CommandLine, dryRun: boolean, io: CliIo): void {
  for (const [config, configPlans] of plans) {
    if (configPlans.length === 0) continue;
    io.stdout.write(`${config.config.client}: ${config.config.path}\n`);
    for (const plan of configPlans) io.stdout.write(`${describePlan(plan, keyhold, dryRun).join('\n')}\n`);
  }
}

async function choose(wanted: readonly ServerPlan[], yes: boolean, io: CliIo): Promise<Set<ServerPlan>> {
  if (yes) return new Set(wanted);
  if (io.stdin.isTTY !== true) throw new UsageError('stdin is not a terminal to ask on: pass --yes to import every server listed, or --dry-run to look first');
  // Lines are read through the iterator, which keeps lines typed ahead of a question (readline's question() drops them).
  const reader = createInterface({ input: io.stdin as NodeJS.ReadableStream, terminal: false });
  const lines = reader[Symbol.asyncIterator]();
  try {
    const chosen = new Set<ServerPlan>();
    for (const plan of wanted) {
      io.stderr.write(`Import the secrets of ${plan.entry.name}? [y/N] `);
      const answer = await lines.next();
      if (answer.done === true) break;
      if (/^y(es)?$/i.test(String(answer.value).trim())) chosen.add(plan);
    }
    return chosen;
  } finally {
    reader.close();
  }
}

/** One STORE approval per server; a refused or failed one is reported and left out. The app must answer first. */
async function storeValues(plans: readonly ServerPlan[], io: CliIo): Promise<ChosenServer[]> {
  const first = plans[0];
  if (first === undefined) return [];
  const probe = cliClient(first.server, io);
  try {
    await reachApp(probe, io);
  } finally {
    await probe.close();
  }
  const stored: ChosenServer[] = [];
  for (const source of plans) {
    if (source.verdict.kind !== 'import') continue;
    const secrets = source.verdict.secrets;
    let client: KeyholdClient | undefined;
    try {
      const free = await freeServerName(source.server, secrets.map((s) => s.variable), io);
      if (free !== source.server) {
        io.stdout.write(`  ${source.entry.name}: Keyhold already holds ${secrets.map((s) => s.variable).join(' or ')} for "${source.server}": stored as "${free}" instead, so no stored value is replaced.\n`);
      }
      const plan: ServerPlan = { ...source, server: free };
      client = cliClient(free, io);
      await client.put(Object.fromEntries(secrets.map((s) => [s.variable, s.field.value])), {
        reason: `keyhold import: move ${secrets.map((s) => s.variable).join(', ')} of "${source.entry.name}" from its MCP client config into the keychain`,
        onPending: pendingNotice(io, 'import'),
      });
      stored.push({ plan, source, secrets });
    } catch (error) {
      io.stderr.write(`keyhold import: ${source.entry.name}: not imported (its entry is unchanged): ${errorMessage(error)}\n`);
    } finally {
      await client?.close();
    }
  }
  return stored;
}

/**
 * `server` when none of `names` is stored for it yet; else the first of
 * `<server>-2`, `-3`, … with none of them. Two configs may use one server name
 * with different keys, and a key imported earlier must not be overwritten
 * (its config refers to it). Status requests open no window.
 */
async function freeServerName(server: string, names: readonly string[], io: CliIo): Promise<string> {
  for (let n = 1; n <= MAX_NAME_TRIES; n++) {
    const candidate = n === 1 ? server : `${server.slice(0, 60)}-${n}`;
    const client = cliClient(candidate, io);
    try {
      const status = await client.status(names);
      if (!status.some((s) => s.exists)) return candidate;
    } finally {
      await client.close();
    }
  }
  throw new Error(`Keyhold already holds these names for "${server}" and ${MAX_NAME_TRIES - 1} variants of it; delete some with keyhold rm, then import again`);
}

async function rewriteConfig(config: LoadedConfig, done: readonly ChosenServer[], keyhold: CommandLine, dataDir: string, io: CliIo): Promise<boolean> {
  const edits: TextEdit[] = [];
  const undo: UndoEntry[] = [];
  for (const { plan, secrets } of done) {
    const entryEdits = rewriteEdits(plan, secrets, keyhold, config.syntax, config.text);
    edits.push(...entryEdits);
    undo.push(undoEntry(plan, secrets, entryEdits, config.syntax, config.text));
  }
  try {
    // The undo record first: a file rewritten without one could not be undone.
    const before = await readUndo(dataDir);
    await writeUndo(dataDir, withEntries(before, config.config, undo));
    try {
      await writeConfigIfUnchanged(config, applyEdits(config.text, edits));
    } catch (error) {
      await writeUndo(dataDir, before);
      throw error;
    }
  } catch (error) {
    const stored = done.map((d) => d.plan.server).join(', ');
    io.stderr.write(`keyhold import: ${errorMessage(error)}${error instanceof ConfigChangedError ? ` (the values of ${stored} are stored in Keyhold)` : ''}\n`);
    return false;
  }
  for (const { plan, secrets } of done) {
    io.stdout.write(`Imported ${plan.entry.name} (${secrets.map((s) => s.variable).join(', ')}) in ${config.config.path}\n`);
  }
  return true;
}
