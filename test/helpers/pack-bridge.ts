/**
 * Builds and packs `@keyhold/bridge` for the package tests, one process at a
 * time: the build starts by removing dist/, so two test files building at once
 * (the runner runs two files concurrently) would pack each other's half-built
 * tree. A lock directory next to the package serialises them; one left by a
 * killed run is taken over after a few minutes.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const bridgeDir = join(root, 'src', 'bridge');
const lockDir = join(bridgeDir, '.pack-lock');
const STALE_LOCK_MS = 5 * 60_000;

/** npm reads npm_* variables from a parent `npm test`; keep them away from the child npm runs (prefix, workspace). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.toLowerCase().startsWith('npm_')) env[key] = value;
  return { ...env, ...extra };
}

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', args, { cwd, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024, timeout: 170_000 });
  return stdout;
}

async function lock(): Promise<void> {
  for (;;) {
    try {
      await mkdir(lockDir);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      const age = await stat(lockDir).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_LOCK_MS) await rm(lockDir, { recursive: true, force: true });
      await sleep(200);
    }
  }
}

/** Builds the package and packs it into `destination`; resolves with the tarball's path and the files it holds. */
export async function packBridge(destination: string): Promise<{ tarball: string; files: string[] }> {
  await lock();
  try {
    await npm(['run', '--silent', 'build', '-w', '@keyhold/bridge'], root);
    // Built just above, so skip prepack's second build.
    const packed = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', destination], bridgeDir);
    const report = JSON.parse(packed.slice(packed.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const first = report[0];
    if (first === undefined) throw new Error('npm pack reported no tarball');
    return { tarball: join(destination, first.filename), files: first.files.map((file) => file.path).sort() };
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
