/**
 * An MCP server (`@modelcontextprotocol/server` 2.x) with two GitHub tools
 * that need a token, kept by Keyhold. The Keyhold part is the `KeyholdMcp`
 * line and the `secrets` gate of each tool; the rest is an ordinary
 * `McpServer`. It serves 2026-07-28 and 2025-era clients alike (server.ts).
 *
 * In your own project, import from the package instead of the source tree:
 *   import { KeyholdMcp, SecretRejectedError } from '@keyhold/bridge/mcp';
 */
import { McpServer, type CallToolResult } from '@modelcontextprotocol/server';
import { z } from 'zod';

import { KeyholdMcp, type KeyholdMcpOptions } from '../../src/bridge/mcp/index.js';
import { createIssue, listIssues, tokenGate } from './github-api.js';

export interface GithubIssuesOptions {
  /** Base URL of the GitHub REST API (default https://api.github.com). */
  readonly apiUrl?: string;
  /** 2025-era URL-elicitation clients: answer calls that need the user with -32042 and let the client retry. */
  readonly failFast?: boolean;
  /** How long a Keyhold window waits for the user (default 300 000 ms). */
  readonly timeoutMs?: number;
  /** Where the Keyhold app is, when not found the usual way (tests pass url + token). */
  readonly keyhold?: Pick<KeyholdMcpOptions, 'url' | 'token' | 'dataDir' | 'env' | 'client'>;
}

const repo = z.string().regex(/^[\w.-]+\/[\w.-]+$/).describe('owner/name');

export function createGithubIssuesServer(options: GithubIssuesOptions = {}): { server: McpServer; keyhold: KeyholdMcp } {
  const api = (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const server = new McpServer({ name: 'github-issues', version: '1.0.0' });
  const keyhold = new KeyholdMcp({
    server,
    name: 'github-issues',
    version: '1.0.0',
    ...(options.failFast === undefined ? {} : { failFast: options.failFast }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...options.keyhold,
  });

  keyhold.tool(
    'list_issues',
    {
      description: 'List the issues of a GitHub repository.',
      inputSchema: z.object({ repo, state: z.enum(['open', 'closed', 'all']).default('open') }),
      annotations: { readOnlyHint: true },
    },
    { ...tokenGate, reason: (args) => `List the issues of ${args.repo}` },
    async (args, { secrets, mcpReq }) => text(await listIssues(api, secrets.GITHUB_TOKEN, args.repo, args.state, mcpReq.signal)),
  );

  keyhold.tool(
    'create_issue',
    {
      description: 'Open an issue in a GitHub repository.',
      inputSchema: z.object({ repo, title: z.string().min(1), body: z.string().optional() }),
    },
    { ...tokenGate, reason: (args) => `Open the issue "${args.title}" in ${args.repo}` },
    async (args, { secrets, mcpReq }) => text(await createIssue(api, secrets.GITHUB_TOKEN, args.repo, args.title, args.body, mcpReq.signal)),
  );

  return { server, keyhold };
}

function text(value: string): CallToolResult {
  return { content: [{ type: 'text', text: value }] };
}
