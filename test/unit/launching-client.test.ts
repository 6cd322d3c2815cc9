import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { launchingClient } from '../../src/main/core/launching-client.js';
import type { ProcFs } from '../../src/main/core/proc-fs.js';

interface FakeProcess {
  readonly ppid: number;
  readonly exe?: string;
  readonly argv: readonly string[];
}

/** A /proc of made-up processes: stat (with a comm that holds spaces and parentheses), exe, cmdline. */
function fakeProc(processes: Record<number, FakeProcess>): ProcFs {
  const get = (path: string) => processes[Number(path.split('/')[2])];
  return {
    readdir: () => Promise.resolve(Object.keys(processes)),
    readlink: (path) => {
      const exe = get(path)?.exe;
      return exe === undefined ? Promise.reject(new Error('EACCES')) : Promise.resolve(exe);
    },
    readFile: (path) => {
      const proc = get(path);
      if (proc === undefined) return Promise.reject(new Error('ENOENT'));
      if (path.endsWith('/stat')) return Promise.resolve(`${path.split('/')[2]} (a) (b c) S ${proc.ppid} 1 1 0`);
      return Promise.resolve(`${proc.argv.join('\0')}\0`);
    },
    realpath: (path) => Promise.resolve(path),
  };
}

describe('launching MCP client', () => {
  it('walks up past npx and a shell to Claude, and records the npx package', async () => {
    const proc = fakeProc({
      100: { ppid: 90, exe: '/usr/bin/node', argv: ['node', '/home/u/.npm/_npx/1/node_modules/.bin/mcp-server-github'] },
      90: { ppid: 80, exe: '/usr/bin/dash', argv: ['sh', '-c', 'mcp-server-github'] },
      80: { ppid: 70, exe: '/usr/bin/node', argv: ['node', '/usr/lib/node_modules/npm/bin/npx-cli.js', '-y', '@modelcontextprotocol/server-github'] },
      70: { ppid: 1, exe: '/opt/Claude/claude', argv: ['/opt/Claude/claude'] },
    });
    assert.deepEqual(await launchingClient(proc, 100), { client: { kind: 'claude', executable: '/opt/Claude/claude' }, package: 'npx @modelcontextprotocol/server-github' });
  });

  it('knows Cursor, VS Code, Codex and Claude Code (a node script) by executable or script', async () => {
    const chain = (exe: string, argv: string[]) => fakeProc({ 10: { ppid: 5, exe: '/usr/bin/node', argv: ['node', 's.js'] }, 5: { ppid: 1, exe, argv } });
    assert.equal((await launchingClient(chain('/tmp/.mount_CursorXy/usr/share/cursor/cursor', ['cursor']), 10)).client.kind, 'cursor');
    assert.equal((await launchingClient(chain('/usr/share/code/code', ['code']), 10)).client.kind, 'vscode');
    assert.equal((await launchingClient(chain('/usr/local/bin/codex', ['codex']), 10)).client.kind, 'codex');
    const claudeCode = await launchingClient(chain('/usr/bin/node', ['node', '/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js']), 10);
    assert.deepEqual(claudeCode.client, { kind: 'claude', executable: '/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js' });
    const retitled = await launchingClient(chain('/usr/bin/node', ['node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js']), 10);
    assert.notEqual(retitled.client.kind, 'claude', 'a rewritten command line does not make a process Claude');
  });

  it('a shell or terminal without a known client is "a terminal"; nothing known is "unknown", named by the parent', async () => {
    const terminal = fakeProc({
      10: { ppid: 9, exe: '/usr/bin/python3.12', argv: ['python3', 'x.py'] },
      9: { ppid: 8, exe: '/usr/bin/bash', argv: ['bash'] },
      8: { ppid: 1, exe: '/usr/libexec/gnome-terminal-server', argv: ['gnome-terminal-server'] },
    });
    assert.deepEqual(await launchingClient(terminal, 10), { client: { kind: 'terminal', executable: '/usr/bin/bash' } });
    const daemon = fakeProc({ 10: { ppid: 9, exe: '/usr/bin/node', argv: ['node', 'x.js'] }, 9: { ppid: 1, exe: '/usr/lib/systemd/systemd', argv: ['systemd', '--user'] } });
    assert.deepEqual(await launchingClient(daemon, 10), { client: { kind: 'unknown', executable: '/usr/lib/systemd/systemd' } });
  });
});
