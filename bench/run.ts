/**
 * `npm run bench [-- --quick] [-- --json]`: Keyhold's speed against its
 * baselines, all measured in one run on this machine (see README,
 * "Performance"). Prints a table; with --json, one JSON object on the LAST
 * line of stdout ({ results, targets, machine }), the source of the README's
 * table (`npm run bench:readme`). Targets are reported, never asserted.
 *
 * Needs a Secret Service. Unless it already runs inside the throwaway keyring
 * session of scripts/with-test-keyring.sh (KEYHOLD_TEST_KEYRING=1), it
 * re-executes itself there, so a clean clone benchmarks against an empty,
 * private keyring and never touches yours (--system-keyring uses the
 * session's own keyring instead).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

import { benchBaselines } from './suites/baselines.js';
import { benchBridge, bareNodeRss } from './suites/bridge.js';
import { benchCli } from './suites/cli.js';
import { benchPendingFlood } from './suites/pending-flood.js';
import { benchHelloFlood } from './suites/identity.js';
import { benchWindow } from './suites/window.js';
import { evaluateTargets } from './targets.js';
import { REPO_ROOT } from './serve-process.js';
import { resultTable, targetTable, type BenchResult } from './stats.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const json = args.includes('--json');
const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

if (process.env['KEYHOLD_TEST_KEYRING'] !== '1' && !args.includes('--system-keyring')) {
  process.exitCode = await reexecInKeyringSession();
} else {
  await main();
}

async function main(): Promise<void> {
  const started = Date.now();
  log(`${quick ? 'quick' : 'full'} run on ${cpus().length} CPUs, node ${process.version}`);
  const results: BenchResult[] = [];
  const stage = async (label: string, run: () => Promise<BenchResult[]>): Promise<void> => {
    const t = Date.now();
    try {
      results.push(...(await run()));
    } catch (error) {
      results.push({ name: label, skipped: `failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` });
    }
    log(`${label} done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  };
  await stage('bridge', () => benchBridge({ quick, log }));
  await stage('pending flood', () => benchPendingFlood({ log }));
  await stage('identity', () => benchHelloFlood({ quick, log }));
  await stage('baselines', () => benchBaselines({ quick }));
  await stage('bare node', async () => [await bareNodeRss()]);
  await stage('cli', () => benchCli({ quick, log }));
  await stage('window', () => benchWindow({ quick, log }));
  const targets = evaluateTargets(results);

  process.stdout.write(`\n${resultTable(results)}\n\n${targetTable(targets)}\n`);
  for (const target of targets) if (!target.met && target.why !== undefined) process.stdout.write(`  ${target.name}: ${target.why}\n`);
  const machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    quick,
    date: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  if (json) process.stdout.write(`${JSON.stringify({ results, targets, machine })}\n`);
}

async function reexecInKeyringSession(): Promise<number> {
  const script = join(REPO_ROOT, 'scripts', 'with-test-keyring.sh');
  const probe = spawnSync('bash', ['-c', 'command -v dbus-run-session && command -v gnome-keyring-daemon'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    process.stderr.write('bench: needs a Secret Service: install dbus and gnome-keyring (apt-get install dbus gnome-keyring), or pass --system-keyring inside a desktop session.\n');
    return 2;
  }
  log('starting a throwaway keyring session (scripts/with-test-keyring.sh)');
  const child = spawn('bash', [script, process.execPath, '--import', 'tsx', join(REPO_ROOT, 'bench', 'run.ts'), ...args], { cwd: REPO_ROOT, stdio: 'inherit' });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128))));
}
