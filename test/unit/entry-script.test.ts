import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { interpreterFamily, npxPackage, parseLaunch } from '../../src/main/core/entry-script.js';

const script = (executable: string, argv: string[]) => {
  const launch = parseLaunch(executable, argv);
  return launch !== undefined && 'script' in launch ? launch.script : launch;
};

describe('entry script of an interpreter', () => {
  it('knows interpreters by their real executable, not by name alone', () => {
    assert.equal(interpreterFamily('/usr/bin/node'), 'node');
    assert.equal(interpreterFamily('/usr/bin/python3.12'), 'python');
    assert.equal(interpreterFamily('/home/u/.deno/bin/deno'), 'deno');
    assert.equal(interpreterFamily('/home/u/.bun/bin/bun'), 'bun');
    assert.equal(interpreterFamily('/home/u/.local/bin/uv'), 'uv');
    assert.equal(interpreterFamily('/usr/bin/git'), undefined);
    assert.equal(parseLaunch('/usr/bin/git', ['git', 'status']), undefined);
  });

  it('node: skips flags and their values, keeps preloads, finds the script', () => {
    const launch = parseLaunch('/usr/bin/node', ['node', '--import', 'tsx', '-r', './hook.cjs', '--title=x', '--enable-source-maps', 'dist/index.js', '--port', '3']);
    assert.deepEqual(launch, { family: 'node', script: { kind: 'file', path: 'dist/index.js' }, preloads: ['tsx', './hook.cjs'] });
    assert.deepEqual(script('/usr/bin/node', ['node', '--', 'a.js']), { kind: 'file', path: 'a.js' });
    assert.deepEqual(script('/usr/bin/node', ['node', '-e', 'evil()']), { kind: 'inline', code: 'evil()' });
    assert.deepEqual(script('/usr/bin/node', ['node', '--eval=evil()']), { kind: 'inline', code: 'evil()' });
    assert.deepEqual(script('/usr/bin/node', ['node']), { kind: 'stdin' });
    assert.deepEqual(script('/usr/bin/node', ['/usr/local/bin/node', 'server.mjs']), { kind: 'file', path: 'server.mjs' });
  });

  it('python: -m and -c end the options, -W/-X take values, letters combine', () => {
    assert.deepEqual(script('/usr/bin/python3.12', ['python3', '-u', '-W', 'ignore', '-X', 'dev', 'server.py', '-m', 'x']), { kind: 'file', path: 'server.py' });
    assert.deepEqual(script('/usr/bin/python3.12', ['python3', '-m', 'mcp_server_git', '--repo', '.']), { kind: 'module', name: 'mcp_server_git' });
    assert.deepEqual(script('/usr/bin/python3.12', ['python3', '-uBm', 'pkg.mod']), { kind: 'module', name: 'pkg.mod' });
    assert.deepEqual(script('/usr/bin/python3.12', ['python3', '-c', 'import os']), { kind: 'inline', code: 'import os' });
    assert.deepEqual(script('/usr/bin/python3.12', ['/srv/app/.venv/bin/python', '-Wignore', 'main.py']), { kind: 'file', path: 'main.py' });
    assert.deepEqual(script('/usr/bin/python3.12', ['python3']), { kind: 'stdin' });
  });

  it('deno, bun, uv and package runners', () => {
    assert.deepEqual(script('/b/deno', ['deno', 'run', '--allow-net', '-c', 'deno.json', 'main.ts']), { kind: 'file', path: 'main.ts' });
    assert.deepEqual(parseLaunch('/b/bun', ['bun', 'run', '--preload', './p.ts', 'index.ts']), { family: 'bun', script: { kind: 'file', path: 'index.ts' }, preloads: ['./p.ts'] });
    assert.deepEqual(script('/b/bun', ['bunx', '@scope/server@1.2']), { kind: 'package', spec: '@scope/server@1.2' });
    assert.deepEqual(script('/b/uv', ['uvx', '--python', '3.12', 'mcp-server-fetch']), { kind: 'package', spec: 'mcp-server-fetch' });
    assert.deepEqual(script('/b/uv', ['uvx', '--from', 'git+https://x/y', 'tool']), { kind: 'package', spec: 'git+https://x/y' });
    assert.deepEqual(script('/b/uv', ['uv', 'tool', 'run', 'mcp-server-time']), { kind: 'package', spec: 'mcp-server-time' });
    assert.deepEqual(script('/b/uv', ['uv', 'run', '--with', 'mcp', 'server.py']), { kind: 'file', path: 'server.py' });
    assert.equal(npxPackage(['-y', '@modelcontextprotocol/server-github']), '@modelcontextprotocol/server-github');
    assert.equal(npxPackage(['--package=@a/b', 'b-cli']), '@a/b');
    assert.equal(npxPackage(['-p', '@a/b', 'b-cli']), '@a/b');
  });

  it('argv_rewritten: a command line rewritten with process.title or setproctitle is not read as a script', () => {
    assert.deepEqual(parseLaunch('/usr/bin/node', ['node /opt/mcp/server-github/dist/index.js']), { family: 'node', rewritten: true });
    assert.deepEqual(parseLaunch('/usr/bin/python3.12', ['github-server', '/opt/x.py']), { family: 'python', rewritten: true });
    assert.deepEqual(parseLaunch('/usr/bin/node', []), { family: 'node', rewritten: true });
  });
});
