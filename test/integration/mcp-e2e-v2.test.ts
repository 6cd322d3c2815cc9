/**
 * MCP end to end, SDK 2.x: the official `@modelcontextprotocol/client` 2.x ↔
 * stdio ↔ examples/github-issues-server (`@modelcontextprotocol/server` 2.x,
 * `serveStdio`, `@keyhold/bridge/mcp`) ↔ the real core ↔ the real keychain,
 * in both eras: modern (pinned 2026-07-28: `input_required` + retry) and
 * legacy (the client's 2025 `initialize`: pushed elicitations, -32042).
 * A ScriptedPrompter is the user; a fake GitHub API answers on 127.0.0.1.
 * Every MCP message both ways and the server's stderr are captured: no secret
 * value may appear in any of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Client, type ClientCapabilities, type JSONRPCMessage } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import type { KeyholdCore } from '../../src/main/core/keyhold-core.js';
import type { EntryPrompt } from '../../src/main/core/prompter.js';
import { CODE, startMcpWorld, type McpWorld, assertSuccess, assertToolError, waitFor } from '../helpers/mcp-e2e-support.js';
import type { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { REPO_ROOT } from '../helpers/spawn-serve.js';

const SERVER = 'github-issues';
const NAME = 'GITHUB_TOKEN';
const VALID = `ghp_v2Valid${process.pid}x${Date.now().toString(36)}`;
const STALE = `ghp_v2Stale${process.pid}x${Date.now().toString(36)}`;
/** Long enough that a loaded machine never times out a window the script answers; the timeout tests connect with SHORT_PROMPT_TIMEOUT_MS. */
const PROMPT_TIMEOUT_MS = 30_000;
const SHORT_PROMPT_TIMEOUT_MS = 2_500;
const LINK = /^http:\/\/127\.0\.0\.1:(\d+)\/request\/([A-Za-z0-9_-]{22})$/;

type Era = 'modern' | 'legacy';
type Mode = 'url' | 'form' | 'none';
const CAPABILITIES: Record<Mode, ClientCapabilities> = { url: { elicitation: { url: {}, form: {} } }, form: { elicitation: { form: {} } }, none: {} };

interface Elicited {
  readonly mode: string;
  readonly message: string;
  readonly url?: string;
}

interface Connection {
  readonly client: Client;
  readonly traffic: Array<{ dir: 'in' | 'out'; message: JSONRPCMessage }>;
  readonly elicited: Elicited[];
  stderr(): string;
  /** What the user does in the MCP client when an elicitation shows (default: open the link / accept). */
  onElicit: (elicitation: Elicited) => Promise<'accept' | 'decline' | 'cancel'>;
  call(args?: Record<string, unknown>, timeoutMs?: number): Promise<Awaited<ReturnType<Client['callTool']>>>;
}

const keychain = createSystemKeychain();
let core: KeyholdCore;
let prompter: ScriptedPrompter;
const connections: Connection[] = [];

let world: McpWorld;

before(async () => {
  world = await startMcpWorld({ label: 'mcp-e2e-v2', server: SERVER, secret: NAME, token: VALID });
  ({ core, prompter } = world);
});

after(async () => {
  for (const connection of connections) await connection.client.close().catch(() => undefined);
  await world.stop();
});

/** What the user will answer in the window once the MCP client has shown the elicitation (the window waits until then). */
const userWill: Array<Parameters<NonNullable<(typeof prompter.shown)[number]['answerNow']>>[0]> = [];

/** Answers the held window; resolves once the core has closed it (the user answers the window before the client). */
async function answerHeldWindow(): Promise<void> {
  const answer = userWill.shift();
  const shown = prompter.shown.at(-1);
  if (answer === undefined || shown === undefined) return;
  shown.answerNow?.(answer);
  await waitFor(() => shown.outcome !== 'open');
  // Let the answer reach the MCP server before the client's retry does: a Cancel must still be reported as such.
  await new Promise((r) => setTimeout(r, 100));
}

/** The user answers the window after looking at the MCP client: the window is held until the elicitation shows. */
function afterElicitation(...answers: typeof userWill): void {
  for (const answer of answers) {
    prompter.answer({ hold: true });
    userWill.push(answer);
  }
}

/** GET of a request link, as a browser opening it would (no token, no Origin). */
async function openLink(url: string): Promise<number> {
  const response = await fetch(url);
  await response.text();
  return response.status;
}

async function connect(era: Era, mode: Mode, options: { failFast?: boolean; promptTimeoutMs?: number } = {}): Promise<Connection> {
  const env = world.env({
    GITHUB_ISSUES_PROMPT_TIMEOUT_MS: String(options.promptTimeoutMs ?? PROMPT_TIMEOUT_MS),
    GITHUB_ISSUES_FAIL_FAST: options.failFast === true ? '1' : '0',
  });
  const transport = new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', 'examples/github-issues-server/server.ts'], cwd: REPO_ROOT, env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const traffic: Connection['traffic'] = [];
  const send = transport.send.bind(transport);
  transport.send = (message) => {
    traffic.push({ dir: 'out', message });
    return send(message);
  };
  const client = new Client(
    { name: `e2e-v2-${era}-${mode}`, version: '1.0.0' },
    { capabilities: CAPABILITIES[mode], versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : 'legacy' } },
  );
  const connection: Connection = {
    client,
    traffic,
    elicited: [],
    stderr: () => stderr,
    onElicit: async (elicitation) => {
      if (elicitation.url !== undefined) assert.equal(await openLink(elicitation.url), 200);
      await answerHeldWindow();
      return 'accept';
    },
    call: (args = { repo: 'octo/hello' }, timeoutMs) =>
      client.callTool({ name: 'list_issues', arguments: args }, timeoutMs === undefined ? undefined : { timeout: timeoutMs }),
  };
  if (mode !== 'none') {
    client.setRequestHandler('elicitation/create', async (request) => {
      const params = request.params as unknown as Elicited;
      connection.elicited.push(params);
      return { action: await connection.onElicit(params), content: {} };
    });
  }
  await client.connect(transport);
  const onmessage = transport.onmessage;
  transport.onmessage = (message) => {
    traffic.push({ dir: 'in', message });
    onmessage?.(message);
  };
  connections.push(connection);
  return connection;
}

/** The elicitations the client showed during `run`, the prompts that opened, and the result. */
async function exchange<T>(connection: Connection, run: () => Promise<T>): Promise<{ result: T; elicited: Elicited[]; prompts: ReturnType<typeof promptsSince> }> {
  const mark = connection.elicited.length;
  const shown = prompter.shown.length;
  const result = await run();
  return { result, elicited: connection.elicited.slice(mark), prompts: promptsSince(shown) };
}

function promptsSince(index: number): Array<(typeof prompter.shown)[number]['prompt']> {
  return prompter.shown.slice(index).map((s) => s.prompt);
}

describe('modern era (2026-07-28), URL-mode client', () => {
  let c: Connection;
  before(async () => {
    await core.vault.remove(SERVER, NAME);
    c = await connect('modern', 'url');
  });

  it('entry: input_required with the http link and the window code; opening the link focuses the window; the retry runs the tool', async () => {
    afterElicitation({ entry: { action: 'save', values: { [NAME]: VALID } } });
    const focusedBefore = prompter.focused.length;
    const { result, elicited, prompts } = await exchange(c, () => c.call());
    assertSuccess(result);
    assert.equal(prompts.length, 1, 'one window');
    assert.equal(prompts[0]?.kind, 'entry');
    assert.equal(elicited.length, 1);
    const [first] = elicited;
    assert.equal(first?.mode, 'url');
    const match = LINK.exec(first?.url ?? '');
    assert.ok(match, `an http link: ${first?.url}`);
    assert.equal(match[2], prompts[0]?.id);
    assert.equal(CODE.exec(first?.message ?? '')?.[0], prompts[0]?.verificationCode);
    assert.deepEqual(prompter.focused.slice(focusedBefore), [prompts[0]?.id], 'GET of the link focused that window');
    const firstReply = c.traffic.find(({ dir, message }) => dir === 'in' && 'result' in message && (message.result as { resultType?: string }).resultType === 'input_required');
    assert.ok(firstReply, 'the first tools/call answered input_required');
    assert.equal(await keychain.get(keychainService(SERVER), NAME), VALID);
  });

  it('Allow: the approval code in the elicitation; the retry waits for the answer', async () => {
    afterElicitation({ approval: 'allow' });
    const { result, elicited, prompts } = await exchange(c, () => c.call());
    assertSuccess(result);
    assert.equal(prompts[0]?.kind, 'approval');
    assert.equal(CODE.exec(elicited[0]?.message ?? '')?.[0], prompts[0]?.verificationCode);
  });

  it('Deny → a denied tool error; declining in the client → cancelled and the window closes', async () => {
    afterElicitation({ approval: 'deny' });
    const denied = await c.call();
    assertToolError(denied, 'denied', /the user denied "github-issues" access/);
    const accept = c.onElicit;
    c.onElicit = async () => 'decline';
    try {
      const shown = prompter.shown.length;
      const declined = await c.call();
      assertToolError(declined, 'cancelled', /declined the Keyhold request/);
      await waitFor(() => prompter.shown[shown]?.outcome === 'aborted');
    } finally {
      c.onElicit = accept;
    }
  });

  it('timeout: nobody answers → a timeout tool error', async () => {
    const short = await connect('modern', 'url', { promptTimeoutMs: SHORT_PROMPT_TIMEOUT_MS });
    prompter.answer({ hold: true });
    const result = await short.call();
    assertToolError(result, 'timeout', /nobody answered the Keyhold window/);
  });

  it('Allow for session: the next call runs without a window or an elicitation', async () => {
    afterElicitation({ approval: 'allow_session' });
    assertSuccess(await c.call());
    const { result, elicited, prompts } = await exchange(c, () => c.call({ repo: 'octo/other', state: 'all' }));
    assertSuccess(result);
    assert.deepEqual(prompts, []);
    assert.deepEqual(elicited, []);
  });
});

describe('modern era, form-only client', () => {
  it('a message-only form (no fields) with the code, then the result', async () => {
    await core.vault.put(SERVER, { [NAME]: VALID });
    const c = await connect('modern', 'form');
    afterElicitation({ approval: 'allow' });
    const { result, elicited, prompts } = await exchange(c, () => c.call());
    assertSuccess(result);
    assert.equal(elicited[0]?.mode, 'form');
    assert.deepEqual((elicited[0] as unknown as { requestedSchema: unknown }).requestedSchema, { type: 'object', properties: {} });
    assert.equal(CODE.exec(elicited[0]?.message ?? '')?.[0], prompts[0]?.verificationCode);
  });
});

describe('modern era, client without elicitation', () => {
  it('the call waits while the window is open and returns the result; no log entry (the request asked for none)', async () => {
    await core.vault.put(SERVER, { [NAME]: VALID });
    const c = await connect('modern', 'none');
    prompter.answer({ approval: 'allow' });
    const { result, prompts } = await exchange(c, () => c.call());
    assertSuccess(result);
    assert.equal(prompts.length, 1);
    assert.equal(c.traffic.some(({ message }) => 'method' in message && message.method === 'notifications/message'), false);
  });

  it('client_gives_up_before_user: the client times out after 2 s, the user answers at 4 s, the next call gets the result with no second window', async () => {
    await core.vault.put(SERVER, { [NAME]: VALID });
    const c = await connect('modern', 'none', { promptTimeoutMs: 10_000 });
    prompter.answer({ hold: true });
    const shown = prompter.shown.length;
    const started = Date.now();
    await assert.rejects(c.call(undefined, 2_000), /timed out|timeout/i);
    // The window opens whenever the server gets to it (a loaded machine may take a moment): wait for it, not for a clock.
    await prompter.nextPrompt(shown);
    await new Promise((r) => setTimeout(r, Math.max(0, 4_000 - (Date.now() - started))));
    assert.equal(prompter.shown[shown]?.outcome, 'open', 'the window is still open');
    prompter.shown[shown]?.answerNow?.({ approval: 'allow' });
    const { result, prompts } = await exchange(c, () => c.call());
    assertSuccess(result);
    assert.deepEqual(prompts, [], 'no second window');
  });
});

describe('legacy era (2025-11-25) with the v2 client', () => {
  it('URL mode: pushed elicitation with the http link and elicitationId, then the completion notice', async () => {
    await core.vault.put(SERVER, { [NAME]: VALID });
    const c = await connect('legacy', 'url');
    afterElicitation({ approval: 'allow' });
    const { result, elicited, prompts } = await exchange(c, () => c.call());
    assertSuccess(result);
    const pushed = elicited[0] as Elicited & { elicitationId?: string };
    assert.match(pushed.url ?? '', LINK);
    assert.equal(CODE.exec(pushed.message)?.[0], prompts[0]?.verificationCode);
    await waitFor(() => c.traffic.some(({ dir, message }) => dir === 'in' && 'method' in message && message.method === 'notifications/elicitation/complete'));
    const complete = c.traffic.find(({ message }) => 'method' in message && message.method === 'notifications/elicitation/complete');
    assert.equal((complete?.message as { params?: { elicitationId?: string } }).params?.elicitationId, pushed.elicitationId);
  });

  it('form-only and no elicitation: the call waits and returns the result', async () => {
    for (const mode of ['form', 'none'] as const) {
      const c = await connect('legacy', mode);
      prompter.answer({ approval: 'allow' });
      assertSuccess(await c.call());
    }
  });

  it('failFast: -32042 with the http link; the retry gets the answer without a second window', async () => {
    const c = await connect('legacy', 'url', { failFast: true });
    prompter.answer({ approval: 'allow' });
    const shown = prompter.shown.length;
    const error = await c.call().then(
      () => assert.fail('expected -32042'),
      (e: unknown) => e as { code?: number; data?: unknown },
    );
    assert.equal(error.code, -32042);
    const url = /"url":"([^"]+)"/.exec(JSON.stringify(error.data))?.[1];
    assert.match(url ?? '', LINK, JSON.stringify(error.data));
    await waitFor(() => prompter.shown[shown]?.outcome === 'answered');
    const retry = await exchange(c, () => c.call());
    assertSuccess(retry.result);
    assert.deepEqual(retry.prompts, []);
  });
});

describe('deny, cancel in the window, decline in the client and timeout, both eras', () => {
  for (const era of ['modern', 'legacy'] as const) {
    it(`${era}: each ends the call with its tool error; decline and timeout close the window`, async () => {
      await core.vault.remove(SERVER, NAME);
      const c = await connect(era, 'url');
      afterElicitation({ entry: { action: 'cancel' } });
      assertToolError(await c.call(), 'cancelled', /was closed without an answer/);
      await core.vault.put(SERVER, { [NAME]: VALID });
      afterElicitation({ approval: 'deny' });
      assertToolError(await c.call(), 'denied', /the user denied "github-issues" access/);
      const accept = c.onElicit;
      c.onElicit = async () => 'decline';
      try {
        const shown = prompter.shown.length;
        assertToolError(await c.call(), 'cancelled', /declined the Keyhold request/);
        await waitFor(() => prompter.shown[shown]?.outcome === 'aborted');
      } finally {
        c.onElicit = accept;
      }
      const short = await connect(era, 'url', { promptTimeoutMs: SHORT_PROMPT_TIMEOUT_MS });
      prompter.answer({ hold: true });
      const shown = prompter.shown.length;
      assertToolError(await short.call(), 'timeout', /nobody answered the Keyhold window/);
      assert.equal(prompter.shown[shown]?.outcome, 'aborted');
    });
  }
});

describe('a token the API rejects, both eras', () => {
  for (const era of ['modern', 'legacy'] as const) {
    it(`${era}: 401 upstream → the entry window says it was rejected → new token → success`, async () => {
      await core.vault.put(SERVER, { [NAME]: STALE });
      const c = await connect(era, 'url');
      afterElicitation({ approval: 'allow' }, { entry: { action: 'save', values: { [NAME]: VALID } } });
      const { result, prompts } = await exchange(c, () => c.call());
      assertSuccess(result);
      assert.deepEqual(prompts.map((p) => p.kind), ['approval', 'entry']);
      assert.deepEqual((prompts[1] as EntryPrompt).rejected?.names, [NAME]);
    });
  }
});

describe('requestState', () => {
  /** One raw `tools/call` retry with this state (the client passes params through as given). */
  function retryWith(c: Connection, requestState: string, args: Record<string, unknown> = { repo: 'octo/hello' }): Promise<unknown> {
    return c.client
      .callTool({ name: 'list_issues', arguments: args, requestState, inputResponses: { keyhold: { action: 'accept' } } } as never, { timeout: 10_000 })
      .catch((e: unknown) => e);
  }

  it('request_state_tampering: a tampered, foreign, rebound or replayed state gets an error and opens no window', async () => {
    await core.vault.put(SERVER, { [NAME]: VALID });
    const c = await connect('modern', 'url');
    afterElicitation({ approval: 'allow' });
    assertSuccess(await c.call());
    const sent = c.traffic.filter(({ dir, message }) => dir === 'out' && 'method' in message && message.method === 'tools/call');
    const state = (sent.at(-1)?.message as { params?: { requestState?: string } } | undefined)?.params?.requestState;
    assert.ok(state, 'the retry carried our state');
    const shown = prompter.shown.length;
    const flip = (text: string, at: number): string => `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    for (const [label, bad, args] of [
      ['tampered payload', flip(state, 4), undefined],
      ['tampered tag', flip(state, state.length - 3), undefined],
      ['not ours', 'eyJ2IjoxfQ.c2lnbmF0dXJl', undefined],
      ['other arguments', state, { repo: 'evil/elsewhere' }],
      ['replayed', state, undefined],
    ] as const) {
      const result = await retryWith(c, bad, args);
      assertToolError(result as never, 'invalid_request', /request state that cannot be used/);
      assert.equal(prompter.shown.length, shown, `${label}: no window opened`);
    }
  });
});

describe('no secret value in any MCP message', () => {
  it('secret_value_leak_into_mcp_traffic: neither token appears in any message (both directions, both eras) or in stderr', () => {
    assert.ok(connections.length >= 8);
    for (const connection of connections) {
      const wire = JSON.stringify(connection.traffic);
      for (const secret of [VALID, STALE]) {
        assert.ok(!wire.includes(secret), 'a token reached an MCP message');
        assert.ok(!connection.stderr().includes(secret), 'a token reached the server stderr');
      }
    }
  });
});
