/**
 * `keyhold import [--config FILE] [--yes] [--dry-run] [--undo]`: moves the
 * API keys that MCP client configs hold in plain text into the keychain, and
 * rewrites each server entry to start through `keyhold run` with
 * `keyhold://` references. See import/ for the pieces: where configs are
 * (client-configs), reading them with offsets (jsonc-entries, toml-entries),
 * what looks like a secret (secret-detect), the plan and the undo record
 * (import-plan, undo-store), safe writing (config-file).
 *
 * Order of work, so that a refusal changes nothing: find the app (fail fast),
 * read and parse every config, then per server one STORE approval listing its
 * names; only a server whose values were stored is rewritten, and a file is
 * written only if it still holds the text that was read.
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';

import { resolveDataDir } from '../../shared/data-dir.js';
import { cliClient, errorMessage, pendingNotice, reachApp } from './app-client.js';
import { EXIT_FAILURE, EXIT_OK, parseCommandArgs, UsageError, type CliCommand, type CliIo } from './command.js';
import { knownConfigs, namedConfig, type ClientConfig } from './import/client-configs.js';
import { applyEdits, ConfigParseError, type TextEdit } from './import/config-entry.js';
import { ConfigChangedError, loadConfig, writeConfigIfUnchanged, type LoadedConfig } from './import/config-file.js';
import { planServer, rewriteEdits, undoEntry, type MovedSecret, type ServerPlan, type UndoEntry } from './import/import-plan.js';
import { describePlan } from './import/import-report.js';
import { runUndo } from './import/import-undo.js';
import { readUndo, withEntries, writeUndo } from './import/undo-store.js';
import { keyholdCommandLine, type CommandLine } from './keyhold-command.js';

export const IMPORT_HELP = `Usage: keyhold import [--config FILE] [--dry-run | --yes]
       keyhold import --undo [--config FILE]

Moves API keys out of your MCP clients' configs into the OS keychain. It reads
the configs of Claude Desktop, Claude Code (~/.claude.json and ./.mcp.json),
Cursor (user and ./.cursor), VS Code (user and ./.vscode mcp.json), Windsurf,
Gemini CLI (user and ./.gemini) and Codex (config.toml) — or only FILE — and,
for each local (stdio) server, finds environment values that look like secrets
(names such as *_KEY, *_TOKEN, *_SECRET, *PASSWORD*, *_PAT; known prefixes such
as sk-, ghp_, github_pat_, xoxb-, AKIA; random-looking strings).

For each server you choose, Keyhold asks you once to store its values (the
window lists the names), then the entry is rewritten to
  <this keyhold> run --server <name> -- <the original command>
with keyhold://<name>/<VARIABLE> in place of each value. Comments, key order
and every other key of the file stay as they are; the file keeps its mode and
is replaced in one step, and only if nobody changed it meanwhile. No backup
with values is written anywhere.

Options:
  --config FILE   Only this config (.toml: Codex format; else JSON/JSONC with
                  mcpServers or servers)
  --dry-run       Show what would change (values masked); store and write nothing
  --yes           Import every server with secrets found, without asking
  --undo          Put the original entries back (values read from the keychain
                  after you approve); the secrets stay stored in Keyhold
  -h, --help      Show this help

Remote (HTTP) servers with secrets in headers are reported, not changed:
keyhold run can only pass secrets to a local command's environment.
`;

export const importCommand: CliCommand = {
  name: 'import',
  summary: "Move API keys from MCP clients' configs into the keychain (keyhold run entries)",
  help: IMPORT_HELP,
  run: runImport,
};

interface ChosenServer {
  readonly plan: ServerPlan;
  readonly secrets: readonly MovedSecret[];
}

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
    const done = stored.filter((s) => configPlans.includes(s.plan));
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
  const ask = createInterface({ input: io.stdin as NodeJS.ReadableStream, output: io.stderr, terminal: false });
  try {
    const chosen = new Set<ServerPlan>();
    for (const plan of wanted) {
      const answer = await ask.question(`Import the secrets of ${plan.entry.name}? [y/N] `);
      if (/^y(es)?$/i.test(answer.trim())) chosen.add(plan);
    }
    return chosen;
  } finally {
    ask.close();
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
  for (const plan of plans) {
    if (plan.verdict.kind !== 'import') continue;
    const secrets = plan.verdict.secrets;
    const client = cliClient(plan.server, io);
    try {
      await client.put(Object.fromEntries(secrets.map((s) => [s.variable, s.field.value])), {
        reason: `keyhold import: move ${secrets.map((s) => s.variable).join(', ')} of "${plan.entry.name}" from its MCP client config into the keychain`,
        onPending: pendingNotice(io, 'import'),
      });
      stored.push({ plan, secrets });
    } catch (error) {
      io.stderr.write(`keyhold import: ${plan.entry.name}: not imported (its entry is unchanged): ${errorMessage(error)}\n`);
    } finally {
      await client.close();
    }
  }
  return stored;
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
