/**
 * Client config fixtures for `keyhold import` tests: one per client format,
 * each with comments (where the format has them), keys keyhold must not touch
 * and one stdio server whose env holds a secret. `expectedRewrite` derives the
 * exact text the import must write (only three literals change), so a test
 * comparing with it proves comments, order and other keys are kept.
 */
import { join } from 'node:path';

export interface ClientFixture {
  readonly client: string;
  /** The config's path under the temp home (or the project dir for project files). */
  path(home: string, project: string): string;
  readonly format: 'jsonc' | 'toml';
  /** The fixture text with `value` as the secret. */
  text(value: string, server: string): string;
}

const JSON_TAIL = (value: string, server: string, key = 'mcpServers'): string => `{
  "${key}": {
    "${server}": {
      "command": "npx",
      "args": ["-y", "@example/mcp-server"],
      "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "${value}", "LOG_LEVEL": "debug" },
      "unknownKey": { "keep": [1, 2, 3] }
    },
    "plain": { "command": "uvx", "args": ["mcp-server-time"] }
  },
  "zLast": true
}
`;

export const CLIENT_FIXTURES: readonly ClientFixture[] = [
  { client: 'Claude Desktop', format: 'jsonc', path: (home) => join(home, '.config', 'Claude', 'claude_desktop_config.json'), text: (v, s) => JSON_TAIL(v, s) },
  {
    client: 'Claude Code (user)',
    format: 'jsonc',
    path: (home) => join(home, '.claude.json'),
    text: (v, s) => `{"numStartups": 3, "projects": {"/elsewhere": {"mcpServers": {}}}, "mcpServers": {"${s}": {"type": "stdio", "command": "npx", "args": ["-y", "@example/mcp-server"], "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${v}"}}}, "tipsHistory": {"a": 1}}`,
  },
  { client: 'Claude Code (project)', format: 'jsonc', path: (_home, project) => join(project, '.mcp.json'), text: (v, s) => JSON_TAIL(v, s) },
  { client: 'Cursor (user)', format: 'jsonc', path: (home) => join(home, '.cursor', 'mcp.json'), text: (v, s) => JSON_TAIL(v, s) },
  { client: 'Cursor (project)', format: 'jsonc', path: (_home, project) => join(project, '.cursor', 'mcp.json'), text: (v, s) => JSON_TAIL(v, s) },
  {
    client: 'VS Code (user)',
    format: 'jsonc',
    path: (home) => join(home, '.config', 'Code', 'User', 'mcp.json'),
    text: (v, s) => `// VS Code MCP servers
{
	"inputs": [{ "type": "promptString", "id": "other-key", "password": true }],
	"servers": {
		/* the GitHub server */
		"${s}": {
			"type": "stdio",
			"command": "npx", // from npm
			"args": ["-y", "@example/mcp-server"],
			"env": {
				"GITHUB_PERSONAL_ACCESS_TOKEN": "${v}", // pasted from github.com
				"OTHER": "\${input:other-key}",
			},
		},
	},
}
`,
  },
  { client: 'VS Code (workspace)', format: 'jsonc', path: (_home, project) => join(project, '.vscode', 'mcp.json'), text: (v, s) => JSON_TAIL(v, s, 'servers') },
  { client: 'Windsurf', format: 'jsonc', path: (home) => join(home, '.codeium', 'windsurf', 'mcp_config.json'), text: (v, s) => JSON_TAIL(v, s) },
  {
    client: 'Gemini CLI (user)',
    format: 'jsonc',
    path: (home) => join(home, '.gemini', 'settings.json'),
    text: (v, s) => `{
  "theme": "GitHub",
  "mcpServers": {
    "${s}": {
      "command": "npx",
      "args": ["-y", "@example/mcp-server"],
      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${v}"},
      "timeout": 30000,
      "trust": false
    }
  },
  "selectedAuthType": "oauth-personal"
}
`,
  },
  {
    client: 'Codex',
    format: 'toml',
    path: (home) => join(home, '.codex', 'config.toml'),
    text: (v, s) => `# Codex settings
model = "o3"   # the model

[mcp_servers.${s}]
# the GitHub server
command = "npx"
args = ["-y", "@example/mcp-server"]
env = { GITHUB_PERSONAL_ACCESS_TOKEN = "${v}", LOG_LEVEL = 'debug' }
startup_timeout_ms = 20_000

[profiles.fast]
model = "o4-mini" # after the server
`,
  },
];

/** The text `keyhold import` must write for a fixture: three literals replaced, nothing else. */
export function expectedRewrite(fixture: ClientFixture, value: string, server: string, keyhold: readonly string[]): string {
  const [command = '', ...prefix] = keyhold;
  const args = [...prefix, 'run', '--server', server, '--', 'npx', '-y', '@example/mcp-server'];
  const text = fixture.text(value, server);
  const array = `[${args.map((a) => JSON.stringify(a)).join(', ')}]`;
  return text
    .replace('"npx"', JSON.stringify(command))
    .replace('["-y", "@example/mcp-server"]', array)
    .replace(`"${value}"`, JSON.stringify(`keyhold://${server}/GITHUB_PERSONAL_ACCESS_TOKEN`));
}
