/**
 * Runs the shipped `keyhold` (bin/keyhold.mjs → out/cli) as a process in a
 * temp home: HOME, KEYHOLD_HOME and cwd are the test's; no KEYHOLD_* or
 * XDG_* variable of the developer's environment leaks in.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT } from './spawn-serve.js';

export const KEYHOLD_BIN = join(REPO_ROOT, 'bin/keyhold.mjs');

export interface BinRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runKeyholdBin(args: readonly string[], options: { home: string; dataDir: string; cwd: string; env?: Record<string, string> }): Promise<BinRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('KEYHOLD_') && !key.startsWith('XDG_') && key !== 'APPDATA' && key !== 'CODEX_HOME') env[key] = value;
  }
  Object.assign(env, { HOME: options.home, KEYHOLD_HOME: options.dataDir }, options.env);
  const child = spawn(process.execPath, [KEYHOLD_BIN, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** Every file under dir, recursively (to search what Keyhold wrote for a value). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}
