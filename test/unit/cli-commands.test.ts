/**
 * The `keyhold` commands as the dispatcher runs them, with in-memory streams
 * and no app running: help for every command, `set` refusing a value in argv
 * (secret_value_in_argv), fail-fast "not running" messages.
 */
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { COMMANDS } from '../../src/main/cli/keyhold.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';



describe('keyhold CLI commands (no app running)', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let env: Record<string, string>;

  before(async () => {
    home = await makeTempDir('keyhold-cli-unit-');
    env = { KEYHOLD_HOME: home.path, PATH: process.env['PATH'] ?? '' };
  });
  after(async () => {
    await home.cleanup();
  });

  it('every command has --help (and `keyhold help <command>`), exit 0', async () => {
    for (const command of COMMANDS) {
      const viaFlag = await runCli([command.name, '--help'], env);
      assert.equal(viaFlag.code, 0, command.name);
      assert.match(viaFlag.stdout, new RegExp(`^Usage: keyhold ${command.name}`), command.name);
      const viaHelp = await runCli(['help', command.name], env);
      assert.equal(viaHelp.stdout, command.help);
    }
  });

  describe('secret_value_in_argv: keyhold set refuses a value on the command line, without repeating it', () => {
    const value = 'sk-live-0123456789';
    for (const argv of [
      ['set', 'demo/token', value],
      ['set', `demo/token=${value}`],
      ['set', 'demo/token', `--value=${value}`],
      ['set', '--value', value, 'demo/token'],
      ['set', 'demo/token', '--', value],
      ['set', 'demo/token', `-${value}`],
    ]) {
      it(argv.slice(1).join(' ').replace(value, '<value>'), async () => {
        const run = await runCli(argv, env);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /refusing a secret value given on the command line/);
        assert.match(run.stderr, /hidden prompt/);
        assert.ok(!run.stderr.includes(value) && !run.stdout.includes(value), 'the value is not echoed');
      });
    }
  });

  it('status: not running → exit 1 with what to do; --json says running: false', async () => {
    const run = await runCli(['status'], env);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^Keyhold is not reachable\./);
    assert.match(run.stdout, /npx keyhold serve/);
    assert.ok(run.stdout.includes(home.path));
    const json = await runCli(['status', '--json'], env);
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout) as { running: boolean; dataDir: string; problem: string };
    assert.equal(report.running, false);
    assert.equal(report.dataDir, home.path);
    assert.match(report.problem, /not running/);
  });

  it('ls, set, rm fail fast with the "not running" message when the app is not running', async () => {
    for (const argv of [['ls'], ['set', 'demo/token'], ['rm', 'demo/token']]) {
      const run = await runCli(argv, env, 'would-be-value\n');
      assert.equal(run.code, 1, argv.join(' '));
      assert.match(run.stderr, /The Keyhold app is not running: .*Start the Keyhold app, or run `npx keyhold serve`/);
      assert.ok(run.ms < 2_000, `${argv.join(' ')} failed at once (${run.ms} ms)`);
    }
  });

  it('run without the app and without the fallback: fails at once, names the fallback variable, never starts CMD', async () => {
    const run = await runCli(['run', '--', process.execPath, '-e', 'process.stdout.write("STARTED")'], { ...env, TOKEN: 'keyhold://demo/token' });
    assert.equal(run.code, 1);
    assert.ok(!run.stdout.includes('STARTED'));
    assert.match(run.stderr, /not running/);
    assert.match(run.stderr, /KEYHOLD_FALLBACK=env/);
    assert.match(run.stderr, /KEYHOLD_SECRET_DEMO_TOKEN/);
    assert.match(run.stderr, /was not started/);
  });

  it('bridge_json_swapped_by_other_user: with a data dir others can write, set/status refuse it and never dial the bridge.json there', async () => {
    const planted = await makeTempDir('keyhold-cli-planted-');
    const dialled: string[] = [];
    const listener = createServer((socket) => {
      dialled.push('a connection');
      socket.on('data', (chunk: Buffer) => dialled.push(chunk.toString('latin1')));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = listener.address() as AddressInfo;
      const token = 'p'.repeat(43);
      await writeFile(join(planted.path, 'bridge.json'), JSON.stringify({ url: `ws://127.0.0.1:${port}`, token, pid: process.pid, version: '9' }), { mode: 0o600 });
      await chmod(planted.path, 0o777);
      const plantedEnv = { KEYHOLD_HOME: planted.path, PATH: env['PATH'] ?? '' };
      const set = await runCli(['set', 'github/token'], plantedEnv, 'ghp_piped_value_123\n');
      assert.equal(set.code, 1);
      assert.ok(set.stderr.includes(`Refusing the Keyhold data directory ${planted.path}: it is writable by group or others (mode 777)`), set.stderr);
      assert.ok(set.stderr.includes(`Fix: \`chmod go-w ${planted.path}\``), set.stderr);
      const status = await runCli(['status'], plantedEnv);
      assert.equal(status.code, 1);
      assert.match(status.stdout + status.stderr, /Refusing the Keyhold data directory/);
      assert.deepEqual(dialled, [], 'nothing was sent to the planted endpoint');
      assert.ok(!(set.stdout + set.stderr + status.stdout + status.stderr).includes(token), 'the planted token is never printed');
    } finally {
      await new Promise((resolve) => listener.close(resolve));
      await planted.cleanup();
    }
  });

  it('run: usage errors exit 2 (no command; bare reference without --server)', async () => {
    assert.equal((await runCli(['run'], env)).code, 2);
    const bare = await runCli(['run', '--', 'true'], { ...env, TOKEN: 'keyhold://token' });
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /names no server/);
  });
});
