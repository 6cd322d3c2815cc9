/**
 * `@keyhold/bridge` as users get it: build, `npm pack`, install the tarball
 * into an empty project, import it from plain .mjs and from strict TypeScript.
 * Guards the public surface (the export list is deliberate: adding to it is a
 * decision, not an accident), the exports map with `types`, and the `files`
 * whitelist (only dist/, README.md and package.json ship). The testing
 * entry ships the core bundled in (build-testing.mjs): the README's testing
 * example compiles in the scratch project under `tsc --strict` with
 * `skipLibCheck: false` and no @types/ws, and runs there, with nothing but
 * the tarball, its dependencies and the MCP SDK peer installed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, symlink, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startCore, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { cleanEnv, packBridge } from '../helpers/pack-bridge.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const bridgeDir = join(root, 'src', 'bridge');

/** The declarations the testing entry ships (build-testing.mjs keeps those index.d.ts reaches). */
const TESTING_DECLARATIONS = ['fake-app.d.ts', 'fake-store.d.ts', 'fake-types.d.ts', 'index.d.ts'];

/** The public runtime exports. Change this list only on purpose (and update the README). */
const PUBLIC_EXPORTS = ['ERROR_CODES', 'KeyholdClient', 'KeyholdError', 'discoverBridge', 'discoveryFilePath', 'isKeyholdError'];

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', args, { cwd, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024, timeout: 170_000 });
  return stdout;
}

describe('@keyhold/bridge package', () => {
  let scratch: { path: string; cleanup: () => Promise<void> };
  let files: string[];
  let consumer: string;
  let installed: string;

  before(async () => {
    scratch = await makeTempDir('keyhold-pack-');
    const packed = await packBridge(scratch.path);
    files = packed.files;

    consumer = join(scratch.path, 'consumer');
    await mkdir(consumer);
    await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', packed.tarball], consumer);
    installed = join(consumer, 'node_modules', '@keyhold', 'bridge');
  });

  after(async () => {
    await scratch.cleanup();
  });

  it('ships only dist/, README.md and package.json', () => {
    for (const path of files) {
      assert.ok(path === 'README.md' || path === 'package.json' || path.startsWith('dist/'), `unexpected file in the tarball: ${path}`);
    }
    assert.ok(files.includes('README.md'));
    assert.ok(files.includes('package.json'));
    assert.ok(files.includes('dist/bridge/index.js'));
    assert.ok(files.includes('dist/bridge/index.d.ts'));
    assert.ok(!files.some((path) => path.endsWith('.ts') && !path.endsWith('.d.ts')), 'no TypeScript sources');
  });

  it('dist holds exactly the compiled sources (nothing stale from a renamed file)', async () => {
    const tsconfig = JSON.parse(await readFile(join(bridgeDir, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    const bridgeSources = (await readdir(bridgeDir, { recursive: true }))
      .map((name) => name.split('\\').join('/'))
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.startsWith('dist') && !name.startsWith('node_modules'))
      .filter((name) => !name.startsWith('testing/'));
    const sharedSources = tsconfig.include.filter((entry) => entry.startsWith('../shared/')).map((entry) => entry.slice('../shared/'.length));
    const expected = [
      ...bridgeSources.map((name) => `dist/bridge/${name.replace(/\.ts$/, '')}`),
      ...sharedSources.map((name) => `dist/shared/${name.replace(/\.ts$/, '')}`),
    ]
      .flatMap((base) => [`${base}.js`, `${base}.d.ts`])
      .concat('dist/bridge/testing/index.js', ...TESTING_DECLARATIONS.map((name) => `dist/bridge/testing/${name}`));
    const shipped = files.filter((path) => path.startsWith('dist/'));
    assert.deepEqual(shipped, [...expected].sort(), 'if this fails after a rename: rm -rf src/bridge/dist and rebuild');
  });

  it('package.json: exports map with types first, top-level types, ws and zod as the only dependencies', async () => {
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as {
      type: string;
      exports: Record<string, unknown>;
      types: string;
      dependencies: Record<string, string>;
    };
    assert.equal(manifest.type, 'module');
    assert.deepEqual(manifest.exports, {
      '.': { types: './dist/bridge/index.d.ts', default: './dist/bridge/index.js' },
      './mcp': { types: './dist/bridge/mcp/index.d.ts', default: './dist/bridge/mcp/index.js' },
      './mcp/v1': { types: './dist/bridge/mcp/v1/index.d.ts', default: './dist/bridge/mcp/v1/index.js' },
      './fastmcp': { types: './dist/bridge/mcp/fastmcp.d.ts', default: './dist/bridge/mcp/fastmcp.js' },
      './testing': { types: './dist/bridge/testing/index.d.ts', default: './dist/bridge/testing/index.js' },
      './package.json': './package.json',
    });
    assert.deepEqual(Object.keys(manifest.exports['.'] as object), ['types', 'default'], '"types" must come first');
    assert.equal(manifest.types, './dist/bridge/index.d.ts');
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), ['ws', 'zod']);
    const peers = manifest as unknown as { peerDependenciesMeta: Record<string, { optional: boolean }> };
    assert.deepEqual(peers.peerDependenciesMeta, { '@modelcontextprotocol/server': { optional: true }, '@modelcontextprotocol/sdk': { optional: true } }, 'both MCP SDKs are optional peers');
  });

  describe('installed from the tarball', () => {
    let core: KeyholdCore;
    let dataDir: { path: string; cleanup: () => Promise<void> };

    before(async () => {
      dataDir = await makeTempDir('keyhold-pack-home-');
      core = await startCore({ dataDir: dataDir.path, prompter: new ScriptedPrompter(), appVersion: 'pack-test' });
    });
    after(async () => {
      await core.stop();
      await dataDir.cleanup();
    });

    it('a plain .mjs imports it, sees exactly the public exports, and talks to a running app', async () => {
      const script = join(consumer, 'check.mjs');
      await writeFile(
        script,
        [
          "import * as bridge from '@keyhold/bridge';",
          "const client = new bridge.KeyholdClient({ server: { name: 'packaged' } });",
          "const status = await client.status(['API_KEY']);",
          'await client.close();',
          'let internal = "exposed";',
          "try { await import('@keyhold/bridge/dist/bridge/client.js'); } catch (error) { internal = error.code; }",
          'console.log(JSON.stringify({ exports: Object.keys(bridge).sort(), codes: bridge.ERROR_CODES, status, internal }));',
        ].join('\n'),
      );
      const { stdout } = await run(process.execPath, [script], { cwd: consumer, env: cleanEnv({ KEYHOLD_HOME: dataDir.path }), timeout: 30_000 });
      const result = JSON.parse(stdout) as { exports: string[]; codes: string[]; status: unknown; internal: string };
      assert.deepEqual(result.exports, PUBLIC_EXPORTS);
      assert.deepEqual(result.codes, ['denied', 'cancelled', 'timeout', 'not_found', 'invalid_request', 'unauthorized', 'busy', 'unavailable']);
      assert.deepEqual(result.status, [{ name: 'API_KEY', exists: false, invalidated: false }]);
      assert.equal(result.internal, 'ERR_PACKAGE_PATH_NOT_EXPORTED', 'internals stay private behind the exports map');
    });
  });

  it('a strict TypeScript consumer type-checks against the shipped declarations', async () => {
    await mkdir(join(consumer, 'node_modules', '@types'), { recursive: true });
    await symlink(join(root, 'node_modules', '@types', 'node'), join(consumer, 'node_modules', '@types', 'node'), 'dir');
    await writeFile(
      join(consumer, 'consumer.ts'),
      [
        "import { KeyholdClient, KeyholdError, isKeyholdError, ERROR_CODES, discoverBridge } from '@keyhold/bridge';",
        "import type { ErrorCode, FieldSpec, PendingEvent, SecretName, SecretStatus, KeyholdClientOptions } from '@keyhold/bridge';",
        "const options: KeyholdClientOptions = { server: { name: 'typed', version: '1.0.0' }, requestTimeoutMs: 60_000 };",
        'const client = new KeyholdClient(options);',
        "const field: FieldSpec = { name: 'API_KEY', label: 'API key', type: 'password', required: true };",
        "const names: SecretName[] = ['API_KEY'];",
        'const values: Record<string, string> = await client.get(names, { fields: [field], onPending: (event: PendingEvent) => void event.verificationCode });',
        'const statuses: SecretStatus[] = await client.status();',
        'const off: () => void = client.onPending((event) => void event.id);',
        'const code: ErrorCode | undefined = ERROR_CODES[0];',
        "const error: unknown = new KeyholdError('denied', 'no');",
        'if (isKeyholdError(error)) { const c: ErrorCode = error.code; void c; }',
        'const endpoint = await discoverBridge({ env: {} });',
        'void [values, statuses, off, code, endpoint.url];',
        '// @ts-expect-error the token option alone is a string, not a number',
        "new KeyholdClient({ server: { name: 'x' }, token: 42 });",
      ].join('\n'),
    );
    await writeFile(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      await run(process.execPath, [tsc, '-p', join(consumer, 'tsconfig.json')], { cwd: consumer, timeout: 120_000 });
    } catch (error) {
      const { stdout } = error as { stdout?: string };
      assert.fail(`the shipped declarations do not type-check for a strict consumer:\n${stdout ?? String(error)}`);
    }
  });

  it("the README's testing example compiles strictly without @types/ws and runs from the tarball, without the native keyring", async () => {
    const readme = await readFile(join(bridgeDir, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Testing: `@keyhold/bridge/testing`'));
    const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(example?.includes("from '@keyhold/bridge/testing'"), 'the README has the testing example');
    await mkdir(join(consumer, 'node_modules', '@types'), { recursive: true });
    await symlink(join(root, 'node_modules', '@types', 'node'), join(consumer, 'node_modules', '@types', 'node'), 'dir').catch(() => undefined);
    // The MCP SDK is an optional peer the example uses; it comes from this repo's node_modules (no network).
    await mkdir(join(consumer, 'node_modules', '@modelcontextprotocol'), { recursive: true });
    await symlink(join(root, 'node_modules', '@modelcontextprotocol', 'sdk'), join(consumer, 'node_modules', '@modelcontextprotocol', 'sdk'), 'dir');
    assert.equal(existsSync(join(consumer, 'node_modules', '@types', 'ws')), false, 'no @types/ws in the consumer');
    assert.equal(existsSync(join(consumer, 'node_modules', '@napi-rs')), false, 'no native keyring in the consumer');
    await writeFile(join(consumer, 'example.test.ts'), example ?? '');
    await writeFile(
      join(consumer, 'tsconfig.example.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: false, types: ['node'], outDir: 'build' },
        files: ['example.test.ts'],
      }),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      await run(process.execPath, [tsc, '-p', join(consumer, 'tsconfig.example.json')], { cwd: consumer, timeout: 120_000 });
    } catch (error) {
      const { stdout } = error as { stdout?: string };
      assert.fail(`the testing example does not type-check for a strict consumer:\n${stdout ?? String(error)}`);
    }
    // NODE_TEST_CONTEXT would make the child report to this runner instead of printing TAP.
    const env = cleanEnv();
    delete env['NODE_TEST_CONTEXT'];
    const { stdout } = await run(process.execPath, ['--test', '--test-reporter=tap', join(consumer, 'build', 'example.test.js')], { cwd: consumer, env, timeout: 60_000 });
    assert.match(stdout, /# pass 1\n/);
    assert.match(stdout, /# fail 0\n/);
  });
});
