/**
 * `keyhold import` when something says no or goes wrong: nothing is changed
 * that should not be. The bundled bin as a process, the real core and keychain.
 *
 * Threats: import_deny_changes_nothing, import_clobbers_concurrent_edit, import_overwrites_stored_key,
 * import_leaves_value_behind_symlink,
 * import_breaks_unparsable_config, remote_header_secret_silently_ignored.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';

import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import { startCore, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import type { ApprovalDecision } from '../../src/main/core/prompter.js';
import { CLIENT_FIXTURES } from '../helpers/import-fixtures.js';
import { runKeyholdBin } from '../helpers/run-keyhold-bin.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const keychain = createSystemKeychain();
const tag = `${process.pid}${Date.now().toString(36)}`;
const VAR = 'GITHUB_PERSONAL_ACCESS_TOKEN';
const claudeDesktop = CLIENT_FIXTURES.find((f) => f.client === 'Claude Desktop');
const codex = CLIENT_FIXTURES.find((f) => f.client === 'Codex');

describe('keyhold import refusals', () => {
  let core: KeyholdCore;
  let root: { path: string; cleanup: () => Promise<void> };
  let dataDir: string;
  let onPrompt: () => ApprovalDecision = () => 'allow';
  let count = 0;
  let where: { home: string; dataDir: string; cwd: string };
  let server: string;
  let value: string;

  before(async () => {
    root = await makeTempDir('keyhold-import-no-');
    dataDir = join(root.path, 'data');
    core = await startCore({ dataDir, prompter: new ScriptedPrompter(() => ({ approval: onPrompt() })), appVersion: 'test' });
  });
  beforeEach(() => {
    count++;
    server = `refuse${count}-${tag}`;
    value = `ghp_${randomBytes(16).toString('hex')}`;
    const home = join(root.path, `home${count}`);
    mkdirSync(home, { recursive: true });
    where = { home, dataDir, cwd: home };
    onPrompt = () => 'allow';
  });
  after(async () => {
    await core.stop();
    for (let i = 1; i <= count; i++) await keychain.delete(keychainService(`refuse${i}-${tag}`), VAR).catch(() => false);
    await root.cleanup();
  });

  const desktopConfig = (): { path: string; text: string } => {
    const path = claudeDesktop?.path(where.home, where.cwd) ?? '';
    const text = claudeDesktop?.text(value, server) ?? '';
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return { path, text };
  };

  it('import_deny_changes_nothing: a Deny in the STORE window leaves the config, the keychain and the undo record as they were', async () => {
    const { path, text } = desktopConfig();
    onPrompt = () => 'deny';
    const run = await runKeyholdBin(['import', '--yes'], where);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`${server}: not imported \\(its entry is unchanged\\)`));
    assert.equal(readFileSync(path, 'utf8'), text);
    assert.equal(await keychain.get(keychainService(server), VAR), null);
    assert.equal(existsSync(join(dataDir, 'import-undo.json')) ? readFileSync(join(dataDir, 'import-undo.json'), 'utf8').includes(server) : false, false);
  });

  it('import_clobbers_concurrent_edit: a config saved by someone else while the window was open is not overwritten', async () => {
    const { path, text } = desktopConfig();
    const theirs = text.replace('"zLast": true', '"zLast": false');
    onPrompt = () => {
      writeFileSync(path, theirs);
      return 'allow';
    };
    const run = await runKeyholdBin(['import', '--yes'], where);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /changed after keyhold read it .* it was not written: run keyhold import again/);
    assert.ok(!run.stderr.includes(value));
    assert.equal(readFileSync(path, 'utf8'), theirs, 'their change stands');
    const undo = existsSync(join(dataDir, 'import-undo.json')) ? readFileSync(join(dataDir, 'import-undo.json'), 'utf8') : '';
    assert.ok(!undo.includes(server), 'no undo record for a file that was not written');
  });

  it('import_breaks_unparsable_config: JSON and TOML that do not parse are left untouched, with where and why', async () => {
    const json = join(where.home, '.cursor', 'mcp.json');
    mkdirSync(join(json, '..'), { recursive: true });
    const badJson = `{ "mcpServers": { "x": { "command": "npx", "env": { "API_KEY": "${value}" } }\n`;
    writeFileSync(json, badJson);
    const toml = join(where.home, '.codex', 'config.toml');
    mkdirSync(join(toml, '..'), { recursive: true });
    const badToml = `[mcp_servers.x]\ncommand = "npx"\nenv = { API_KEY = "${value}" \n`;
    writeFileSync(toml, badToml);
    const run = await runKeyholdBin(['import', '--yes'], where);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`${json.replaceAll('.', '\\.')} is not valid JSON at line \\d+, column \\d+ \\(\\w+\\); it was left untouched`));
    assert.match(run.stderr, new RegExp(`${toml.replaceAll('.', '\\.')} is not valid TOML at line \\d+, column \\d+; it was left untouched`));
    assert.ok(!run.stderr.includes(value) && !run.stdout.includes(value));
    assert.equal(readFileSync(json, 'utf8'), badJson);
    assert.equal(readFileSync(toml, 'utf8'), badToml);
  });

  it('remote_header_secret_silently_ignored: a remote server with an Authorization header is reported, with why, and not changed', async () => {
    const path = join(where.home, 'remote.json');
    const text = `{"mcpServers": {"docs": {"url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer ${value}"}}, "cli": {"command": "tool", "args": ["--api-key", "${value}"]}}}`;
    writeFileSync(path, text);
    const run = await runKeyholdBin(['import', '--yes', '--config', path], where);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /docs: remote server with header Authorization; not moved\. keyhold run starts a local \(stdio\) command/);
    assert.match(run.stdout, /cli: a secret-looking value in args \(argument 2\); not moved\. keyhold run hands secrets to a command only as environment variables/);
    assert.match(run.stdout, /Nothing to import\./);
    assert.ok(!run.stdout.includes(value) && !run.stderr.includes(value));
    assert.equal(readFileSync(path, 'utf8'), text);
  });

  it('without --yes and without a terminal to ask on, it refuses and changes nothing', async () => {
    const { path, text } = desktopConfig();
    const run = await runKeyholdBin(['import'], where);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /pass --yes to import every server listed, or --dry-run/);
    assert.equal(readFileSync(path, 'utf8'), text);
  });

  it('--undo leaves an entry edited since the import alone, and says so', async () => {
    const path = codex?.path(where.home, where.cwd) ?? '';
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, codex?.text(value, server) ?? '');
    assert.equal((await runKeyholdBin(['import', '--yes'], where)).code, 0);
    const edited = readFileSync(path, 'utf8').replace('startup_timeout_ms = 20_000', 'startup_timeout_ms = 30_000');
    writeFileSync(path, edited);
    const undo = await runKeyholdBin(['import', '--undo'], where);
    assert.equal(undo.code, 1);
    assert.match(undo.stderr, new RegExp(`${server} in .*config\\.toml changed since it was imported; left as it is`));
    assert.equal(readFileSync(path, 'utf8'), edited);
  });

  it('import_overwrites_stored_key: two configs with one server name and different keys keep both keys', async () => {
    const { path: desktop } = desktopConfig();
    const cursorFixture = CLIENT_FIXTURES.find((f) => f.client === 'Cursor (user)');
    const cursor = cursorFixture?.path(where.home, where.cwd) ?? '';
    const otherValue = `ghp_${randomBytes(16).toString('hex')}`;
    mkdirSync(join(cursor, '..'), { recursive: true });
    writeFileSync(cursor, cursorFixture?.text(otherValue, server) ?? '');
    const run = await runKeyholdBin(['import', '--yes'], where);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`stored as "${server}-2" instead, so no stored value is replaced`));
    assert.ok(readFileSync(desktop, 'utf8').includes(`keyhold://${server}/${VAR}`));
    assert.ok(readFileSync(cursor, 'utf8').includes(`keyhold://${server}-2/${VAR}`));
    assert.ok(readFileSync(cursor, 'utf8').includes(`"--server", "${server}-2"`));
    assert.equal(await keychain.get(keychainService(server), VAR), value);
    assert.equal(await keychain.get(keychainService(`${server}-2`), VAR), otherValue);
    await keychain.delete(keychainService(`${server}-2`), VAR);
  });

  it('import_leaves_value_behind_symlink: a config that is a symlink is rewritten where it points, and stays a link', async () => {
    const target = join(where.home, 'dotfiles', 'claude_desktop_config.json');
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, claudeDesktop?.text(value, server) ?? '');
    const path = claudeDesktop?.path(where.home, where.cwd) ?? '';
    mkdirSync(join(path, '..'), { recursive: true });
    symlinkSync(target, path);
    const run = await runKeyholdBin(['import', '--yes'], where);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(lstatSync(path).isSymbolicLink(), 'still a link');
    assert.ok(!readFileSync(target, 'utf8').includes(value), 'the value is gone from the file the link points to');
    assert.ok(readFileSync(target, 'utf8').includes(`keyhold://${server}/${VAR}`));
    // --config: only this file's record (an earlier test left one that cannot be undone).
    const undo = await runKeyholdBin(['import', '--undo', '--config', path], where);
    assert.equal(undo.code, 0, undo.stderr);
    assert.ok(lstatSync(path).isSymbolicLink());
    assert.equal(readFileSync(target, 'utf8'), claudeDesktop?.text(value, server));
  });
});

