/**
 * Starts a `keyhold serve` process (the shipped CLI, or the auto-answering
 * fixture) with its own data dir and waits until bridge.json is written.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { discoveryFileSchema, type DiscoveryFile } from '../../src/shared/bridge-protocol.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly discovery: DiscoveryFile;
  /** Everything the process printed so far (stdout + stderr). */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function spawnServe(home: string, options: { autoAnswer?: boolean; args?: string[] } = {}): Promise<ServeProcess> {
  const entry = options.autoAnswer === true ? ['--import', 'tsx', join(REPO_ROOT, 'test/fixtures/serve-auto-answer.ts')] : [join(REPO_ROOT, 'bin/keyhold.mjs')];
  const args = [...entry, ...(options.autoAnswer === true ? [] : ['serve']), '--home', home, ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, KEYHOLD_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const discovery = await waitForDiscovery(home, child, () => output);
  return {
    child,
    discovery,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

async function waitForDiscovery(home: string, child: ChildProcess, output: () => string): Promise<DiscoveryFile> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`serve exited early (${child.exitCode}):\n${output()}`);
    try {
      const parsed = discoveryFileSchema.safeParse(JSON.parse(await readFile(join(home, 'bridge.json'), 'utf8')));
      if (parsed.success && parsed.data.pid === child.pid) return parsed.data;
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`serve did not write bridge.json within 20 s:\n${output()}`);
}
