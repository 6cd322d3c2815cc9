/**
 * Where MCP clients keep their server lists, per client and platform, and
 * which keys hold the servers. `keyhold import` looks at each that exists;
 * `--config FILE` names one instead (format from the extension, servers under
 * `mcpServers`, `servers` or `mcp_servers`).
 */
import { extname, join } from 'node:path';

export interface ClientConfig {
  readonly client: string;
  readonly path: string;
  readonly format: 'jsonc' | 'toml';
  /** Key paths of the objects whose properties are server entries. */
  readonly mapPaths: readonly (readonly string[])[];
}

export interface ConfigPlaces {
  readonly home: string;
  readonly cwd: string;
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const MCP_SERVERS = [['mcpServers']] as const;

export function knownConfigs({ home, cwd, platform, env }: ConfigPlaces): ClientConfig[] {
  const appData = platform === 'win32' ? (env['APPDATA'] ?? join(home, 'AppData', 'Roaming')) : platform === 'darwin' ? join(home, 'Library', 'Application Support') : (env['XDG_CONFIG_HOME'] ?? join(home, '.config'));
  const json = (client: string, path: string, mapPaths: readonly (readonly string[])[] = MCP_SERVERS): ClientConfig => ({ client, path, format: 'jsonc', mapPaths });
  const all = [
    json('Claude Desktop', join(appData, 'Claude', 'claude_desktop_config.json')),
    json('Claude Code (user)', join(home, '.claude.json'), [['mcpServers'], ['projects', cwd, 'mcpServers']]),
    json('Claude Code (project)', join(cwd, '.mcp.json')),
    json('Cursor (user)', join(home, '.cursor', 'mcp.json')),
    json('Cursor (project)', join(cwd, '.cursor', 'mcp.json')),
    json('VS Code (user)', join(appData, 'Code', 'User', 'mcp.json'), [['servers']]),
    json('VS Code (workspace)', join(cwd, '.vscode', 'mcp.json'), [['servers']]),
    json('Windsurf', join(home, '.codeium', 'windsurf', 'mcp_config.json')),
    json('Gemini CLI (user)', join(home, '.gemini', 'settings.json')),
    json('Gemini CLI (project)', join(cwd, '.gemini', 'settings.json')),
    { client: 'Codex', path: join(env['CODEX_HOME'] ?? join(home, '.codex'), 'config.toml'), format: 'toml', mapPaths: [['mcp_servers']] },
  ] satisfies ClientConfig[];
  // Run from the home directory, a project file is the user file (~/.cursor/mcp.json, ~/.gemini/settings.json): once.
  return all.filter((config, index) => all.findIndex((other) => other.path === config.path) === index);
}

export function namedConfig(path: string): ClientConfig {
  const toml = extname(path).toLowerCase() === '.toml';
  return { client: 'config', path, format: toml ? 'toml' : 'jsonc', mapPaths: toml ? [['mcp_servers']] : [['mcpServers'], ['servers']] };
}
