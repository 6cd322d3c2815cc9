import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { knownConfigs, namedConfig } from '../../src/main/cli/import/client-configs.js';

describe('MCP client config places', () => {
  it('per platform: Claude Desktop and VS Code live in the app-data folder', () => {
    const find = (platform: NodeJS.Platform, client: string, env: Record<string, string> = {}) =>
      knownConfigs({ home: '/h', cwd: '/p', platform, env }).find((c) => c.client === client)?.path;
    assert.equal(find('linux', 'Claude Desktop'), '/h/.config/Claude/claude_desktop_config.json');
    assert.equal(find('darwin', 'Claude Desktop'), '/h/Library/Application Support/Claude/claude_desktop_config.json');
    assert.equal(find('win32', 'VS Code (user)', { APPDATA: '/appdata' }), '/appdata/Code/User/mcp.json');
    assert.equal(find('linux', 'Codex', { CODEX_HOME: '/codex' }), '/codex/config.toml');
  });

  it('Claude Code reads the user servers and this project\'s local ones from ~/.claude.json', () => {
    const claude = knownConfigs({ home: '/h', cwd: '/p', platform: 'linux', env: {} }).find((c) => c.client === 'Claude Code (user)');
    assert.deepEqual(claude?.mapPaths, [['mcpServers'], ['projects', '/p', 'mcpServers']]);
  });

  it('run from the home directory, a project file that is the user file is read once', () => {
    const paths = knownConfigs({ home: '/h', cwd: '/h', platform: 'linux', env: {} }).map((c) => c.path);
    assert.equal(new Set(paths).size, paths.length);
    assert.ok(paths.includes('/h/.cursor/mcp.json'));
  });

  it('--config FILE: TOML by extension, else JSON with mcpServers or servers', () => {
    assert.equal(namedConfig('/x/config.TOML').format, 'toml');
    assert.deepEqual(namedConfig('/x/mcp.json').mapPaths, [['mcpServers'], ['servers']]);
  });
});
