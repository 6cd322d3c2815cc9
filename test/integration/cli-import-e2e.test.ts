/**
 * End to end: a Claude Desktop config whose MCP server reads API_KEY from its
 * environment → `keyhold import --yes` against a real `keyhold serve` (its
 * prompter allows by itself) and the real keychain → the official MCP SDK
 * client starts the rewritten entry exactly as the config says, and the
 * server sees the key. The config and every file Keyhold wrote hold no value.
 *
 * Threat: secret_in_mcp_config_or_argv (after the import, neither holds it).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { filesUnder, runKeyholdBin } from '../helpers/run-keyhold-bin.js';
import { REPO_ROOT, spawnServe, type ServeProcess } from '../helpers/spawn-serve.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/api-key-mcp-server.ts');
const server = `e2e-import-${process.pid}${Date.now().toString(36)}`;
const VALUE = `sk-${randomBytes(20).toString('hex')}`;


describe('keyhold import end to end (Claude Desktop config → SDK client)', () => {
  let root: { path: string; cleanup: () => Promise<void> };
  let serve: ServeProcess;
  let dataDir: string;

  before(async () => {
    root = await makeTempDir('keyhold-import-e2e-');
    dataDir = join(root.path, 'keyhold');
    serve = await spawnServe(dataDir, { autoAnswer: true });
  });
  after(async () => {
    await serve.stop();
    await createSystemKeychain().delete(keychainService(server), 'API_KEY').catch(() => false);
    await root.cleanup();
  });

  it('the rewritten entry starts the server with the key from Keyhold, and no file holds the key', async () => {
    const home = join(root.path, 'home');
    const config = join(home, '.config', 'Claude', 'claude_desktop_config.json');
    mkdirSync(dirname(config), { recursive: true });
    const entry = { command: process.execPath, args: ['--import', 'tsx', FIXTURE], env: { API_KEY: VALUE } };
    writeFileSync(config, `${JSON.stringify({ mcpServers: { [server]: entry }, globalShortcut: '' }, null, 2)}\n`);

    const run = await runKeyholdBin(['import', '--yes'], { home, dataDir, cwd: REPO_ROOT });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!run.stdout.includes(VALUE) && !run.stderr.includes(VALUE));

    const text = readFileSync(config, 'utf8');
    for (const file of [...filesUnder(home), ...filesUnder(dataDir)]) assert.ok(!readFileSync(file, 'utf8').includes(VALUE), `${file} holds no value`);
    const rewritten = (JSON.parse(text) as { mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }> }).mcpServers[server];
    assert.ok(rewritten !== undefined);
    assert.deepEqual(rewritten.env, { API_KEY: `keyhold://${server}/API_KEY` });
    assert.ok(!rewritten.args.includes(VALUE));

    // As Claude Desktop would: the config's command, args and env (plus the default environment), nothing else.
    const transport = new StdioClientTransport({
      command: rewritten.command,
      args: rewritten.args,
      env: { ...getDefaultEnvironment(), ...rewritten.env, KEYHOLD_HOME: dataDir },
      cwd: REPO_ROOT,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'claude-desktop-like', version: '1.0.0' });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'key_fingerprint', arguments: {} });
      const content = result.content as Array<{ type: string; text: string }>;
      assert.equal(content[0]?.text, `sha256:${createHash('sha256').update(VALUE).digest('hex')}`);
    } finally {
      await client.close();
    }
  });
});
