/**
 * `keyhold import` as shipped (the bundled bin, a process) against the real
 * core and keychain, with fixtures of every client format written into temp
 * homes (test/helpers/import-fixtures.ts): detection, a dry run that shows no
 * value, the rewrite (exact text: comments, key order, unknown keys kept), the
 * file mode kept, and `--undo` restoring the file byte for byte.
 *
 * Threats: import_value_printed (dry run and reports mask values),
 * import_value_in_undo_record (the undo record and every file Keyhold wrote
 * hold no value).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';

import { main } from '../../src/main/cli/keyhold.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { startCore, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import { CLIENT_FIXTURES, expectedRewrite } from '../helpers/import-fixtures.js';
import { filesUnder, KEYHOLD_BIN, runKeyholdBin } from '../helpers/run-keyhold-bin.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const keychain = createSystemKeychain();
const tag = `${process.pid}${Date.now().toString(36)}`;


describe('keyhold import, per client format', () => {
  let core: KeyholdCore;
  let prompter: ScriptedPrompter;
  let root: { path: string; cleanup: () => Promise<void> };
  let dataDir: string;
  const servers: string[] = [];

  before(async () => {
    root = await makeTempDir('keyhold-import-');
    dataDir = join(root.path, 'keyhold-data');
    prompter = new ScriptedPrompter(() => ({ approval: 'allow' }));
    core = await startCore({ dataDir, prompter, appVersion: 'test' });
  });
  after(async () => {
    await core.stop();
    for (const server of servers) for (const name of ['GITHUB_PERSONAL_ACCESS_TOKEN', 'API_KEY']) await keychain.delete(keychainService(server), name).catch(() => false);
    await root.cleanup();
  });

  for (const [index, fixture] of CLIENT_FIXTURES.entries()) {
    it(`${fixture.client}: detects, dry-runs without the value (import_value_printed), rewrites exactly, keeps the mode, undoes byte for byte, no value in any file written (import_value_in_undo_record)`, async () => {
      const server = `imp${index}-${tag}`;
      servers.push(server);
      const value = `ghp_${randomBytes(16).toString('hex')}`;
      const home = join(root.path, `home-${index}`);
      const project = join(root.path, `project-${index}`);
      mkdirSync(project, { recursive: true });
      const path = fixture.path(home, project);
      const original = fixture.text(value, server);
      writeAt(path, original, 0o640);
      const where = { home, dataDir, cwd: project };

      const dry = await runKeyholdBin(['import', '--dry-run'], where);
      assert.equal(dry.code, 0, dry.stderr);
      assert.ok(dry.stdout.includes(path), 'names the config');
      assert.match(dry.stdout, new RegExp(`${server}: GITHUB_PERSONAL_ACCESS_TOKEN \\(`));
      assert.match(dry.stdout, new RegExp(`env GITHUB_PERSONAL_ACCESS_TOKEN: •+ → keyhold://${server}/GITHUB_PERSONAL_ACCESS_TOKEN`));
      assert.ok(!dry.stdout.includes(value) && !dry.stderr.includes(value), 'the dry run shows no value');
      assert.equal(readFileSync(path, 'utf8'), original, 'a dry run changes nothing');

      const shown = prompter.shown.length;
      const run = await runKeyholdBin(['import', '--yes'], where);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(!run.stdout.includes(value) && !run.stderr.includes(value));
      const prompt = prompter.shown[shown]?.prompt;
      assert.equal(prompt?.kind, 'approval');
      assert.deepEqual(prompt.kind === 'approval' ? [prompt.action, prompt.names] : [], ['store', ['GITHUB_PERSONAL_ACCESS_TOKEN']]);
      assert.equal(prompter.shown.length, shown + 1, 'one STORE approval for the server');
      assert.equal(await keychain.get(keychainService(server), 'GITHUB_PERSONAL_ACCESS_TOKEN'), value);
      assert.equal(readFileSync(path, 'utf8'), expectedRewrite(fixture, value, server, [process.execPath, KEYHOLD_BIN]));
      assert.equal(statSync(path).mode & 0o777, 0o640, 'the file mode is kept');
      for (const file of [...filesUnder(dataDir), ...filesUnder(dirname(path))]) {
        assert.ok(!readFileSync(file, 'utf8').includes(value), `${file} holds no value`);
      }

      const again = await runKeyholdBin(['import', '--dry-run'], where);
      assert.match(again.stdout, new RegExp(`${server}: already runs through keyhold`));

      const undo = await runKeyholdBin(['import', '--undo'], where);
      assert.equal(undo.code, 0, undo.stderr);
      assert.equal(readFileSync(path, 'utf8'), original, 'byte for byte');
      assert.equal(statSync(path).mode & 0o777, 0o640);
      assert.ok(!undo.stdout.includes(value) && !undo.stderr.includes(value));
    });
  }

  it('without --yes, on a terminal, asks server by server and imports only the ones answered yes', async () => {
    const home = join(root.path, 'home-ask');
    const path = join(home, 'mcp.json');
    const [yes, no] = [`ask-yes-${tag}`, `ask-no-${tag}`];
    servers.push(yes, no);
    const text = JSON.stringify({ mcpServers: { [yes]: { command: 'a', env: { API_KEY: 'k-yes-0123456789abcdef' } }, [no]: { command: 'b', env: { API_KEY: 'k-no-0123456789abcdef' } } } });
    writeAt(path, text, 0o600);
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    stdin.end('y\nn\n');
    const [stdout, stderr] = [new PassThrough(), new PassThrough()];
    let out = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await main(['import', '--config', path], { stdin, stdout, stderr, env: { HOME: home, KEYHOLD_HOME: dataDir } });
    assert.equal(code, 0, out);
    const after = readFileSync(path, 'utf8');
    assert.ok(after.includes(`keyhold://${yes}/API_KEY`));
    assert.ok(after.includes('k-no-0123456789abcdef'), 'the server answered no keeps its entry');
    assert.equal(await keychain.get(keychainService(no), 'API_KEY'), null);
  });
});

function writeAt(path: string, text: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
}

