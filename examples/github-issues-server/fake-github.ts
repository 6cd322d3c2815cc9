/**
 * A tiny stand-in for the GitHub REST API, for running the example without a
 * real token: GET and POST /repos/:owner/:repo/issues, answered only with
 * `Authorization: Bearer <token>`; any other token gets 401 Bad credentials,
 * as GitHub does. Listens on 127.0.0.1; never logs the Authorization header.
 *
 *   node --import tsx examples/github-issues-server/fake-github.ts ghp_example_token
 *   → prints the URL to put in GITHUB_API_URL
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

export interface FakeIssue {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly state: 'open' | 'closed';
  readonly html_url: string;
}

export interface FakeGithub {
  readonly url: string;
  /** Requests seen, without headers: `GET /repos/o/r/issues → 401`. */
  readonly log: string[];
  /** The token the API accepts from now on. */
  acceptToken(token: string): void;
  close(): Promise<void>;
}

export async function startFakeGithub(options: { token: string; port?: number }): Promise<FakeGithub> {
  let accepted = options.token;
  const issues = new Map<string, FakeIssue[]>();
  const log: string[] = [];

  const server = createServer((request, response) => {
    void handle(request, response).catch(() => send(response, 500, { message: 'Server Error' }));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const match = /^\/repos\/([\w.-]+)\/([\w.-]+)\/issues$/.exec(url.pathname);
    const answer = (status: number, body: unknown): void => {
      log.push(`${request.method ?? '?'} ${url.pathname} → ${status}`);
      send(response, status, body);
    };
    if (match === null) return answer(404, { message: 'Not Found' });
    if (request.headers.authorization !== `Bearer ${accepted}`) return answer(401, { message: 'Bad credentials' });
    const repo = `${match[1] ?? ''}/${match[2] ?? ''}`;
    const list = issues.get(repo) ?? seed(repo);
    issues.set(repo, list);
    if (request.method === 'GET') {
      const state = url.searchParams.get('state') ?? 'open';
      return answer(200, list.filter((issue) => state === 'all' || issue.state === state));
    }
    if (request.method === 'POST') {
      const body = JSON.parse(await readBody(request)) as { title?: unknown; body?: unknown };
      if (typeof body.title !== 'string' || body.title === '') return answer(422, { message: 'Validation Failed: title is required' });
      const issue: FakeIssue = {
        number: list.length + 1,
        title: body.title,
        body: typeof body.body === 'string' ? body.body : '',
        state: 'open',
        html_url: `https://github.com/${repo}/issues/${list.length + 1}`,
      };
      list.push(issue);
      return answer(201, issue);
    }
    return answer(405, { message: 'Method Not Allowed' });
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    acceptToken: (token) => {
      accepted = token;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function seed(repo: string): FakeIssue[] {
  return [
    { number: 1, title: 'Crash when the config file is empty', body: '', state: 'open', html_url: `https://github.com/${repo}/issues/1` },
    { number: 2, title: 'Document the --verbose flag', body: '', state: 'closed', html_url: `https://github.com/${repo}/issues/2` },
  ];
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const token = process.argv[2];
  if (token === undefined) {
    console.error('usage: fake-github.ts <token the fake API accepts>');
    process.exit(2);
  }
  const fake = await startFakeGithub({ token });
  console.log(`fake GitHub API at ${fake.url} (set GITHUB_API_URL to it)`);
}
