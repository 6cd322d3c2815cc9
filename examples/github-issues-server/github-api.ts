/**
 * The GitHub side of the example: the token's gate (how Keyhold asks for it)
 * and one REST call that turns a 401 into `SecretRejectedError`, so Keyhold
 * asks the user for a new token. Free of any MCP SDK.
 */
import { SecretRejectedError, type SecretGate } from '../../src/bridge/mcp/index.js';

export const TOKEN = 'GITHUB_TOKEN';

/** How Keyhold asks for the token the first time (and after GitHub rejects it). */
export const tokenGate = {
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

export interface Issue {
  readonly number: number;
  readonly title: string;
  readonly state: string;
  readonly html_url: string;
}

/** `list_issues`' answer. */
export async function listIssues(api: string, token: string, repo: string, state: string, signal: AbortSignal): Promise<string> {
  const response = await github(api, `/repos/${repo}/issues?state=${state}`, token, { signal });
  const issues = (await response.json()) as Issue[];
  if (issues.length === 0) return `${repo} has no ${state === 'all' ? '' : `${state} `}issues.`;
  return issues.map((issue) => `#${issue.number} [${issue.state}] ${issue.title} — ${issue.html_url}`).join('\n');
}

/** `create_issue`'s answer. */
export async function createIssue(api: string, token: string, repo: string, title: string, body: string | undefined, signal: AbortSignal): Promise<string> {
  const response = await github(api, `/repos/${repo}/issues`, token, { method: 'POST', body: JSON.stringify({ title, body: body ?? '' }), signal });
  const issue = (await response.json()) as { number: number; html_url: string };
  return `Opened #${issue.number}: ${issue.html_url}`;
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
