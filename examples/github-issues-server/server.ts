/**
 * The example as a stdio MCP server:
 *
 *   node --import tsx examples/github-issues-server/server.ts
 *
 * Environment:
 *   GITHUB_API_URL                   API base URL (default https://api.github.com; the fake: see fake-github.ts)
 *   GITHUB_ISSUES_FAIL_FAST=1        answer calls that need the user with -32042 (URL-elicitation clients)
 *   GITHUB_ISSUES_PROMPT_TIMEOUT_MS  how long a Keyhold window waits (default 300000)
 *   KEYHOLD_HOME, or KEYHOLD_BRIDGE_URL + KEYHOLD_BRIDGE_TOKEN: where the Keyhold app is (usually not needed)
 * stdout carries MCP; this file writes nothing else there.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

import { createGithubIssuesServer } from './github-issues.js';

const timeout = process.env.GITHUB_ISSUES_PROMPT_TIMEOUT_MS;
const { server, keyhold } = createGithubIssuesServer({
  ...(process.env.GITHUB_API_URL === undefined ? {} : { apiUrl: process.env.GITHUB_API_URL }),
  failFast: process.env.GITHUB_ISSUES_FAIL_FAST === '1',
  ...(timeout === undefined ? {} : { timeoutMs: Number(timeout) }),
});

const transport = new StdioServerTransport();
transport.onclose = () => {
  void keyhold.close();
};
await server.connect(transport);
