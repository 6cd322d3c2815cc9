/**
 * An MCP server with two GitHub tools that need a token, kept by Keyhold.
 * The Keyhold part is the `KeyholdMcp` line and the `secrets` gate of each
 * tool; the rest is an ordinary `McpServer`.
 *
 * In your own project, import from the package instead of the source tree:
 *   import { KeyholdMcp, SecretRejectedError } from '@keyhold/bridge/mcp';
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

import { KeyholdMcp, SecretRejectedError, type KeyholdMcpOptions, type SecretGate } from '../../src/bridge/mcp/index.js';

export interface GithubIssuesOptions {
  /** Base URL of the GitHub REST API (default https://api.github.com). */
  readonly apiUrl?: string;
  /** Answer calls that need the user with -32042 and let the client retry (URL-elicitation clients only). */
  readonly failFast?: boolean;
  /** How long a Keyhold window waits for the user (default 300 000 ms). */
  readonly timeoutMs?: number;
  /** Where the Keyhold app is, when not found the usual way (tests pass a fake app's `connection`). */
  readonly keyhold?: Pick<KeyholdMcpOptions, 'url' | 'token' | 'dataDir' | 'env'>;
}

const TOKEN = 'GITHUB_TOKEN';

/** How Keyhold asks for the token the first time (and after GitHub rejects it). */
const tokenGate = {
  secrets: [TOKEN],
  fields: [
    {
      name: TOKEN,
      label: 'GitHub personal access token',
      type: 'password',
      required: true,
      pattern: '(ghp_|github_pat_)[A-Za-z0-9_]+',
      placeholder: 'github_pat_…',
    },
  ],
  guide: [
    '### Create a token',
    '1. GitHub → **Settings → Developer settings → Personal access tokens → Fine-grained tokens**.',
    '2. Give it access to the repositories you want, with **Issues: Read and write**.',
    '3. Paste it here. Keyhold keeps it in your keychain; this server never stores it.',
  ].join('\n'),
} as const satisfies SecretGate<typeof TOKEN>;

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
      inputSchema: { repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/).describe('owner/name'), state: z.enum(['open', 'closed', 'all']).default('open') },
      annotations: { readOnlyHint: true },
    },
    { ...tokenGate, reason: ({ repo }) => `List the issues of ${repo}` },
    async ({ repo, state }, { secrets, signal }) => {
      const response = await github(api, `/repos/${repo}/issues?state=${state}`, secrets.GITHUB_TOKEN, { signal });
      const issues = (await response.json()) as Array<{ number: number; title: string; state: string; html_url: string }>;
      if (issues.length === 0) return text(`${repo} has no ${state === 'all' ? '' : `${state} `}issues.`);
      return text(issues.map((issue) => `#${issue.number} [${issue.state}] ${issue.title} — ${issue.html_url}`).join('\n'));
    },
  );

  keyhold.tool(
    'create_issue',
    {
      description: 'Open an issue in a GitHub repository.',
      inputSchema: { repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/), title: z.string().min(1), body: z.string().optional() },
    },
    { ...tokenGate, reason: ({ repo, title }) => `Open the issue "${title}" in ${repo}` },
    async ({ repo, title, body }, { secrets, signal }) => {
      const response = await github(api, `/repos/${repo}/issues`, secrets.GITHUB_TOKEN, {
        method: 'POST',
        body: JSON.stringify({ title, body: body ?? '' }),
        signal,
      });
      const issue = (await response.json()) as { number: number; html_url: string };
      return text(`Opened #${issue.number}: ${issue.html_url}`);
    },
  );

  return { server, keyhold };
}

/** One GitHub API call. A 401 means the token is bad: Keyhold then asks the user for a new one. */
async function github(api: string, path: string, token: string, init: RequestInit): Promise<Response> {
  const response = await fetch(`${api}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.github+json', 'Content-Type': 'application/json' },
  });
  if (response.status === 401) throw new SecretRejectedError(TOKEN, 'GitHub answered 401 Bad credentials');
  if (!response.ok) {
    const detail = ((await response.json().catch(() => ({}))) as { message?: string }).message ?? response.statusText;
    throw new Error(`GitHub answered ${response.status}: ${detail}`);
  }
  return response;
}

function text(value: string): CallToolResult {
  return { content: [{ type: 'text', text: value }] };
}
