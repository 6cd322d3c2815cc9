/**
 * The MCP entry points of `@keyhold/bridge` as an author gets them: the packed
 * tarball installed into a scratch project that has only ONE MCP SDK — v2
 * (`@modelcontextprotocol/server`) or v1 (`@modelcontextprotocol/sdk`) — and
 * the bridge README's example for that SDK, copied verbatim from the README,
 * compiled with `tsc --strict` and `skipLibCheck: false`, then imported at run
 * time. Each entry point's types must name only its own SDK.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { packBridge } from '../helpers/pack-bridge.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const bridgeDir = join(root, 'src', 'bridge');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** npm reads npm_* variables from a parent `npm test`; keep them away from the child npm runs. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.toLowerCase().startsWith('npm_')) env[key] = value;
  return env;
}

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', args, { cwd, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024, timeout: 170_000 });
  return stdout;
}

/** The fenced block that follows `<!-- example: NAME … -->` in the bridge README. */
async function readmeExample(name: string): Promise<string> {
  const readme = await readFile(join(bridgeDir, 'README.md'), 'utf8');
  const match = new RegExp(`<!-- example: ${name} [^>]*-->\\n\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  assert.ok(match?.[1], `the README has the ${name} example`);
  return match[1];
}

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    target: 'es2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    types: ['node'],
  },
  files: ['example.ts'],
};

async function consumer(scratch: string, name: string, tarball: string, deps: string[]): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(dir);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...deps], dir);
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  return dir;
}

async function compile(dir: string, source: string): Promise<void> {
  await writeFile(join(dir, 'example.ts'), source);
  try {
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir, timeout: 120_000 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    assert.fail(`tsc failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

async function importsAt(dir: string, specifier: string): Promise<string[]> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `const m = await import('${specifier}'); console.log(JSON.stringify(Object.keys(m).sort()));`], {
    cwd: dir,
    timeout: 30_000,
  });
  return JSON.parse(stdout) as string[];
}

describe('@keyhold/bridge MCP entry points from the packed tarball', () => {
  let scratch: { path: string; cleanup: () => Promise<void> };
  let tarball: string;

  before(async () => {
    scratch = await makeTempDir('keyhold-pack-mcp-');
    ({ tarball } = await packBridge(scratch.path));
  });

  after(async () => {
    await scratch.cleanup();
  });

  it('sdk_v2_only: the README v2 example compiles strictly (skipLibCheck false) and the entry loads without SDK 1.x', async () => {
    const dir = await consumer(scratch.path, 'v2-only', tarball, ['@modelcontextprotocol/server@^2.4.0', 'zod@^4', '@types/node@^20']);
    assert.equal(existsSync(join(dir, 'node_modules', '@modelcontextprotocol', 'sdk')), false, 'SDK 1.x is not installed');
    await compile(dir, await readmeExample('mcp-v2'));
    assert.deepEqual(await importsAt(dir, '@keyhold/bridge/mcp'), ['KeyholdMcp', 'REDACTED', 'SecretRejectedError', 'keyholdRequestUrl', 'toolError']);
    assert.deepEqual(await importsAt(dir, '@keyhold/bridge/fastmcp'), ['KeyholdFastMcp']);
  });

  it('sdk_v1_only: the README v1 example compiles strictly (skipLibCheck false) and the v1 entry loads without SDK 2.x', async () => {
    const dir = await consumer(scratch.path, 'v1-only', tarball, ['@modelcontextprotocol/sdk@^1.32.0', 'zod@^4', '@types/node@^20']);
    assert.equal(existsSync(join(dir, 'node_modules', '@modelcontextprotocol', 'server')), false, 'SDK 2.x is not installed');
    await compile(dir, await readmeExample('mcp-v1'));
    assert.deepEqual(await importsAt(dir, '@keyhold/bridge/mcp/v1'), ['KeyholdMcp', 'REDACTED', 'SecretRejectedError', 'keyholdRequestUrl', 'toolError']);
  });

  it('the fastmcp entry type-checks with no MCP SDK at all', async () => {
    const dir = await consumer(scratch.path, 'no-sdk', tarball, ['@types/node@^20']);
    await compile(dir, "import { KeyholdFastMcp } from '@keyhold/bridge/fastmcp';\nexport const keyhold = new KeyholdFastMcp({ name: 'demo' });\n");
  });
});
