/**
 * `keyhold import [--config FILE] [--yes] [--dry-run] [--undo]`: moves the
 * API keys that MCP client configs hold in plain text into the keychain, and
 * rewrites each server entry to start through `keyhold run` with
 * `keyhold://` references. See import/ for the pieces: where configs are
 * (client-configs), reading them with offsets (jsonc-entries, toml-entries),
 * what looks like a secret (secret-detect), the plan and the undo record
 * (import-plan, undo-store), safe writing (config-file).
 *
 * Order of work, so that a refusal changes nothing: read and parse every
 * config, then find the app and ask per server one STORE approval listing its
 * names; only a server whose values were stored is rewritten, and a file is
 * written only if it still holds the text that was read.
 */
import type { CliCommand } from './command.js';

export const IMPORT_HELP = `Usage: keyhold import [--config FILE] [--dry-run | --yes]
       keyhold import --undo [--config FILE]

Moves API keys out of your MCP clients' configs into the OS keychain. It reads
the configs of Claude Desktop, Claude Code (~/.claude.json and ./.mcp.json),
Cursor (user and ./.cursor), VS Code (user and ./.vscode mcp.json), Windsurf,
Gemini CLI (user and ./.gemini) and Codex (config.toml) — or only FILE — and,
for each local (stdio) server, finds environment values that look like secrets
(names such as *_KEY, *_TOKEN, *_SECRET, *PASSWORD*, *_PAT; known prefixes such
as sk-, ghp_, github_pat_, xoxb-, AKIA; random-looking strings).

For each server you choose, Keyhold asks you once to store its values (the
window lists the names), then the entry is rewritten to
  <this keyhold> run --server <name> -- <the original command>
with keyhold://<name>/<VARIABLE> in place of each value. Comments, key order
and every other key of the file stay as they are; the file keeps its mode and
is replaced in one step, and only if nobody changed it meanwhile. No backup
with values is written anywhere.

Options:
  --config FILE   Only this config (.toml: Codex format; else JSON/JSONC with
                  mcpServers or servers)
  --dry-run       Show what would change (values masked); store and write nothing
  --yes           Import every server with secrets found, without asking
  --undo          Put the original entries back (values read from the keychain
                  after you approve); the secrets stay stored in Keyhold
  -h, --help      Show this help

Remote (HTTP) servers with secrets in headers are reported, not changed:
keyhold run can only pass secrets to a local command's environment.
`;

export const importCommand: CliCommand = {
  name: 'import',
  summary: "Move API keys from MCP clients' configs into the keychain (keyhold run entries)",
  help: IMPORT_HELP,
  // The import machinery (jsonc-parser, smol-toml) loads only when import runs: `keyhold run` stays light.
  run: async (argv, io) => (await import('./import/import-run.js')).runImport(argv, io),
};
