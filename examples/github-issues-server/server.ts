/**
 * The example as a stdio MCP server, serving both protocol eras (the first
 * message decides: a 2026-07-28 `server/discover`, or a 2025-era `initialize`):
 *
 *   node --import tsx examples/github-issues-server/server.ts
 *
 * Environment:
 *   GITHUB_API_URL                   API base URL (default https://api.github.com; the fake: see fake-github.ts)
 *   GITHUB_ISSUES_FAIL_FAST=1        2025-era URL clients: answer calls that need the user with -32042
 *   GITHUB_ISSUES_PROMPT_TIMEOUT_MS  how long a Keyhold window waits (default 300000)
 *   KEYHOLD_HOME, or KEYHOLD_BRIDGE_URL + KEYHOLD_BRIDGE_TOKEN: where the Keyhold app is (usually not needed)
 * stdout carries MCP; this file writes nothing else there.
 */
import { serveStdio } from '@modelcontextprotocol/server/stdio';

import { createGithubIssuesServer } from './github-issues.js';

const timeout = process.env.GITHUB_ISSUES_PROMPT_TIMEOUT_MS;

serveStdio(
  () =>
    createGithubIssuesServer({
      ...(process.env.GITHUB_API_URL === undefined ? {} : { apiUrl: process.env.GITHUB_API_URL }),
      failFast: process.env.GITHUB_ISSUES_FAIL_FAST === '1',
      ...(timeout === undefined ? {} : { timeoutMs: Number(timeout) }),
    }).server,
);
