/**
 * The `keyhold` commands as the dispatcher runs them, with in-memory streams
 * and no app running: help for every command, `set` refusing a value in argv
 * (secret_value_in_argv), fail-fast "not running" messages.
 */
import assert from 'node:assert/strict';
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

  it('run: usage errors exit 2 (no command; bare reference without --server)', async () => {
    assert.equal((await runCli(['run'], env)).code, 2);
    const bare = await runCli(['run', '--', 'true'], { ...env, TOKEN: 'keyhold://token' });
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /names no server/);
  });
});
