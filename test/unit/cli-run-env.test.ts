/**
 * `keyhold run`'s environment: env files, keyhold:// references, argument
 * splitting, and the names of the fallback variables.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { fallbackMode, fallbackVariable } from '../../src/bridge/env-fallback.js';
import { UsageError } from '../../src/main/cli/command.js';
import { splitRunArgs } from '../../src/main/cli/run-command.js';
import { findReferences, mergeEnv, namesByServer, parseEnvFile, resolveReferences } from '../../src/main/cli/run-env.js';
import { parseReference, parseSecretRef } from '../../src/main/cli/secret-ref.js';

describe('keyhold run environment', () => {
  it('parses env files: export, comments, quotes, escapes', () => {
    const env = parseEnvFile(
      [
        '# a comment',
        '',
        'PLAIN=value with spaces  # trailing comment',
        'export EXPORTED=yes',
        "SINGLE='lit $eral \\n'",
        'DOUBLE="line\\nnext \\"q\\""',
        'EMPTY=',
        'TOKEN=keyhold://github/token',
      ].join('\n'),
      '.env',
    );
    assert.deepEqual(env, {
      PLAIN: 'value with spaces',
      EXPORTED: 'yes',
      SINGLE: 'lit $eral \\n',
      DOUBLE: 'line\nnext "q"',
      EMPTY: '',
      TOKEN: 'keyhold://github/token',
    });
  });

  it('env file errors name the line, never its value', () => {
    assert.throws(() => parseEnvFile('OK=1\nnot a line with s3cret', 'f.env'), (e) => e instanceof UsageError && /f\.env:2/.test(e.message) && !e.message.includes('s3cret'));
    assert.throws(() => parseEnvFile('A="unclosed s3cret', 'f.env'), (e) => e instanceof UsageError && !e.message.includes('s3cret'));
  });

  it('the env file wins over the inherited environment; unset entries are dropped', () => {
    assert.deepEqual(mergeEnv({ A: '1', B: '2', C: undefined }, { B: 'file' }), { A: '1', B: 'file' });
  });

  it('finds keyhold:// references, bare ones with --server, and rejects malformed ones', () => {
    const env = { A: 'keyhold://github/token', B: 'keyhold://key', C: 'plain', D: 'x keyhold://github/token' };
    const refs = findReferences(env, 'openai');
    assert.deepEqual(refs, [
      { variable: 'A', ref: { server: 'github', name: 'token' } },
      { variable: 'B', ref: { server: 'openai', name: 'key' } },
    ]);
    assert.throws(() => findReferences({ B: 'keyhold://key' }, undefined), /names no server/);
    assert.throws(() => parseReference('X', 'keyhold://a/b/c', undefined), UsageError);
    assert.throws(() => parseReference('X', 'keyhold://bad server/x', undefined), UsageError);
    assert.equal(parseReference('X', 'https://example.com', undefined), undefined);
  });

  it('asks for each name once per server, and replaces every reference', () => {
    const env = { A: 'keyhold://s/one', B: 'keyhold://s/one', C: 'keyhold://t/two', D: 'keep' };
    const refs = findReferences(env, undefined);
    assert.deepEqual([...namesByServer(refs)], [['s', ['one']], ['t', ['two']]]);
    const resolved = resolveReferences(env, refs, new Map([['s/one', 'v1'], ['t/two', 'v2']]));
    assert.deepEqual(resolved, { A: 'v1', B: 'v1', C: 'v2', D: 'keep' });
  });

  it('parses <server>/<name>', () => {
    assert.deepEqual(parseSecretRef('demo/token'), { server: 'demo', name: 'token' });
    assert.throws(() => parseSecretRef('token'), UsageError);
    assert.throws(() => parseSecretRef('demo/'), UsageError);
  });

  it("splits keyhold's options from the command: at --, or at the first non-option", () => {
    assert.deepEqual(splitRunArgs(['--server', 'x', '--', 'node', '--flag']), { options: ['--server', 'x'], command: ['node', '--flag'] });
    assert.deepEqual(splitRunArgs(['--no-masking', 'npx', '-y', 'pkg']), { options: ['--no-masking'], command: ['npx', '-y', 'pkg'] });
    assert.deepEqual(splitRunArgs(['--env-file', 'a.env']), { options: ['--env-file', 'a.env'], command: [] });
  });

  it('fallback variables: upper case, other characters → _', () => {
    assert.equal(fallbackVariable('demo', 'token'), 'KEYHOLD_SECRET_DEMO_TOKEN');
    assert.equal(fallbackVariable('my-server.v2', 'api_key'), 'KEYHOLD_SECRET_MY_SERVER_V2_API_KEY');
    assert.deepEqual(fallbackMode({}), { kind: 'off' });
    assert.deepEqual(fallbackMode({ KEYHOLD_FALLBACK: 'env' }), { kind: 'env' });
    assert.deepEqual(fallbackMode({ KEYHOLD_FALLBACK: '1' }), { kind: 'unknown', value: '1' });
  });
});
