/**
 * Builds and packs `@keyhold/bridge` for the package tests, one process at a
 * time: the build starts by removing dist/, so two test files building at once
 * (the runner runs two files concurrently) would pack each other's half-built
 * tree. A lock directory next to the package serialises them (one left by a
 * killed run is taken over after a few minutes), and the tarball is kept next
 * to it: a second test file gets a copy instead of building again, unless a
 * source file changed since it was packed.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const bridgeDir = join(root, 'src', 'bridge');
const lockDir = join(bridgeDir, '.pack-lock');
const cacheDir = join(bridgeDir, '.pack-cache');
const cacheReport = join(cacheDir, 'report.json');
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

/** The newest modification time of anything the package is built from. */
async function newestSource(): Promise<number> {
  let newest = 0;
  for (const dir of ['src/bridge', 'src/shared', 'src/main/core']) {
    for (const entry of await readdir(join(root, dir), { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name);
      if (!entry.isFile() || /[\\/](dist|node_modules|\.pack-lock|\.pack-cache)[\\/]/.test(path)) continue;
      newest = Math.max(newest, (await stat(path)).mtimeMs);
    }
  }
  return newest;
}

interface PackReport {
  readonly filename: string;
  readonly files: string[];
  readonly packedAt: number;
}

async function cachedPack(): Promise<PackReport | undefined> {
  const report = await readFile(cacheReport, 'utf8').then((text) => JSON.parse(text) as PackReport, () => undefined);
  return report !== undefined && report.packedAt > (await newestSource()) ? report : undefined;
}

/** Builds the package and packs it into `destination` (or copies a tarball packed from the same sources); resolves with its path and files. */
export async function packBridge(destination: string): Promise<{ tarball: string; files: string[] }> {
  await lock();
  try {
    let report = await cachedPack();
    if (report === undefined) {
      await rm(cacheDir, { recursive: true, force: true });
      await mkdir(cacheDir);
      const packedAt = Date.now();
      await npm(['run', '--silent', 'build', '-w', '@keyhold/bridge'], root);
      // Built just above, so skip prepack's second build.
      const packed = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', cacheDir], bridgeDir);
      const first = (JSON.parse(packed.slice(packed.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>)[0];
      if (first === undefined) throw new Error('npm pack reported no tarball');
      report = { filename: first.filename, files: first.files.map((file) => file.path).sort(), packedAt };
      await writeFile(cacheReport, JSON.stringify(report));
    }
    const tarball = join(destination, report.filename);
    await copyFile(join(cacheDir, report.filename), tarball);
    return { tarball, files: report.files };
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
