/**
 * MCP end to end, SDK 1.x (2025-era protocol): the v1 SDK Client (URL-mode,
 * form-only, or no elicitation) ↔ stdio ↔ the v1 variant of the example server
 * (test/fixtures/v1-github-issues-server.ts, a real child process using
 * `@keyhold/bridge/mcp/v1`) ↔ the real core ↔ the real keychain,
 * with a ScriptedPrompter as the user and a fake GitHub API on 127.0.0.1.
 *
 * For each capability: the code the MCP client is shown equals the code of
 * the window (prompt.verificationCode), and entry, Allow, Allow for session,
 * Deny, cancel, timeout and failFast each give the documented result. A
 * token rejected upstream (401) leads to a re-entry prompt, then success.
 * Every MCP message both ways, and the server's stderr, is captured: no
 * secret value may appear in any of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  ElicitRequestSchema,
  UrlElicitationRequiredError,
  type CallToolResult,
  type ClientCapabilities,
  type ElicitResult,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';

import type { FakeGithub } from '../../examples/github-issues-server/fake-github.js';
import { createSystemKeychain, keychainService } from '../../src/main/core/keychain.js';
import type { KeyholdCore } from '../../src/main/core/keyhold-core.js';
import type { EntryPrompt, Prompt } from '../../src/main/core/prompter.js';
import { CODE, startMcpWorld, type McpWorld, assertCodesMatch, assertSuccess, assertToolError, waitFor } from '../helpers/mcp-e2e-support.js';
import type { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { REPO_ROOT } from '../helpers/spawn-serve.js';

const SERVER = 'github-issues-v1';
const NAME = 'GITHUB_TOKEN';
const VALID = `ghp_e2eValid${process.pid}x${Date.now().toString(36)}`;
const STALE = `ghp_e2eStale${process.pid}x${Date.now().toString(36)}`;
/** Long enough that a loaded machine never times out a window the script answers; the timeout test connects with SHORT_PROMPT_TIMEOUT_MS. */
const PROMPT_TIMEOUT_MS = 30_000;
const SHORT_PROMPT_TIMEOUT_MS = 2_500;

const keychain = createSystemKeychain();

type Mode = 'url' | 'form' | 'none';
const CAPABILITIES: Record<Mode, ClientCapabilities> = {
  url: { elicitation: { url: {}, form: {} } },
  form: { elicitation: { form: {} } },
  none: {},
};

interface Connection {
  readonly client: Client;
  readonly traffic: Array<{ dir: 'in' | 'out'; message: JSONRPCMessage }>;
  stderr(): string;
  /** What to answer the next elicitations (default accept). */
  elicitAction: ElicitResult['action'];
  call(args?: Record<string, unknown>, signal?: AbortSignal, timeoutMs?: number): Promise<CallToolResult>;
  /** Texts the client was shown since `mark`: elicitation messages, or log entries without elicitation. */
  notices(mark: number): string[];
  notifications(method: string, mark?: number): Array<Record<string, unknown>>;
}

let core: KeyholdCore;
let prompter: ScriptedPrompter;
let github: FakeGithub;
const connections: Connection[] = [];

let world: McpWorld;

before(async () => {
  world = await startMcpWorld({ label: 'mcp-e2e', server: SERVER, secret: NAME, token: VALID });
  ({ core, prompter, github } = world);
});

after(async () => {
  for (const connection of connections) await connection.client.close().catch(() => undefined);
  await world.stop();
});

async function connect(mode: Mode, options: { failFast?: boolean; promptTimeoutMs?: number } = {}): Promise<Connection> {
  const env = world.env({
    GITHUB_ISSUES_PROMPT_TIMEOUT_MS: String(options.promptTimeoutMs ?? PROMPT_TIMEOUT_MS),
    GITHUB_ISSUES_FAIL_FAST: options.failFast === true ? '1' : '0',
  });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'test/fixtures/v1-github-issues-server.ts'],
    cwd: REPO_ROOT,
    env,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const traffic: Connection['traffic'] = [];
  const send = transport.send.bind(transport);
  transport.send = (message) => {
    traffic.push({ dir: 'out', message });
    return send(message);
  };
  // The SDK's Protocol keeps (and calls) an onmessage set before connect.
  transport.onmessage = (message) => traffic.push({ dir: 'in', message });
  const client = new Client({ name: `e2e-${mode}`, version: '1.0.0' }, { capabilities: CAPABILITIES[mode] });
  const connection: Connection = {
    client,
    traffic,
    stderr: () => stderr,
    elicitAction: 'accept',
    call: (args = { repo: 'octo/hello' }, signal, timeoutMs) =>
      client.callTool({ name: 'list_issues', arguments: args }, undefined, {
        ...(signal === undefined ? {} : { signal }),
        ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
      }) as Promise<CallToolResult>,
    notices: (mark) =>
      traffic.slice(mark).flatMap(({ dir, message }) => {
        if (dir !== 'in' || !('method' in message)) return [];
        const params = (message.params ?? {}) as Record<string, unknown>;
        if (message.method === 'elicitation/create') return [String(params.message)];
        if (message.method === 'notifications/message') return [String(params.data)];
        return [];
      }),
    notifications: (method, mark = 0) =>
      traffic
        .slice(mark)
        .flatMap(({ dir, message }) =>
          dir === 'in' && 'method' in message && !('id' in message) && message.method === method ? [(message.params ?? {}) as Record<string, unknown>] : [],
        ),
  };
  if (CAPABILITIES[mode].elicitation !== undefined) {
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: connection.elicitAction }));
  }
  await client.connect(transport);
  connections.push(connection);
  return connection;
}

/** Runs one call and returns it with the prompts it opened and what the client was told meanwhile. */
async function exchange(connection: Connection, run: () => Promise<CallToolResult>): Promise<{ result: CallToolResult; prompts: Prompt[]; notices: string[] }> {
  const mark = connection.traffic.length;
  const shown = prompter.shown.length;
  const result = await run();
  return { result, prompts: prompter.shown.slice(shown).map((s) => s.prompt), notices: connection.notices(mark) };
}

for (const mode of ['url', 'form', 'none'] as const) {
  describe(`MCP client with ${mode === 'none' ? 'no elicitation' : `${mode}-mode elicitation`}`, () => {
    let waiting: Connection;
    let failFast: Connection;

    before(async () => {
      await core.vault.remove(SERVER, NAME);
      [waiting, failFast] = await Promise.all([connect(mode), connect(mode, { failFast: true })]);
    });

    it('entry window cancelled: a cancelled tool error, nothing stored', async () => {
      prompter.answer({ entry: { action: 'cancel' } });
      const { result, prompts, notices } = await exchange(waiting, () => waiting.call());
      assertToolError(result, 'cancelled', /list_issues did not run/);
      assertCodesMatch(prompts, notices);
      assert.equal(core.vault.has(SERVER, NAME), false);
    });

    it('entry: the token is entered in the window, stored in the keychain, and the tool runs', async () => {
      prompter.answer({ entry: { action: 'save', values: { [NAME]: VALID } } });
      const { result, prompts, notices } = await exchange(waiting, () => waiting.call());
      assertSuccess(result);
      assert.equal(prompts[0]?.kind, 'entry');
      assert.equal((prompts[0] as EntryPrompt).fields[0]?.label, 'GitHub personal access token');
      assert.match((prompts[0] as EntryPrompt).guide ?? '', /Create a token/);
      assert.equal(prompts[0]?.reason, 'List the issues of octo/hello');
      assert.equal(prompts[0]?.tool, 'list_issues');
      assertCodesMatch(prompts, notices);
      assert.equal(await keychain.get(keychainService(SERVER), NAME), VALID);
    });

    it('Allow: the approval window, then the tool runs', async () => {
      prompter.answer({ approval: 'allow' });
      const { result, prompts, notices } = await exchange(waiting, () => waiting.call());
      assertSuccess(result);
      assert.equal(prompts[0]?.kind, 'approval');
      assertCodesMatch(prompts, notices);
      if (mode === 'url') assert.equal(waiting.notifications('notifications/elicitation/complete').length >= 1, true);
    });

    it('Deny: a denied tool error', async () => {
      prompter.answer({ approval: 'deny' });
      const { result, prompts, notices } = await exchange(waiting, () => waiting.call());
      assertToolError(result, 'denied', /the user denied "github-issues-v1" access to GITHUB_TOKEN/);
      assertCodesMatch(prompts, notices);
    });

    if (mode !== 'none') {
      it('declining in the MCP client cancels the request and closes the window', async () => {
        waiting.elicitAction = 'decline';
        try {
          const { result, prompts, notices } = await exchange(waiting, () => waiting.call());
          assertToolError(result, 'cancelled', /declined the Keyhold request/);
          assertCodesMatch(prompts, notices);
          await waitFor(() => prompter.shown.at(-1)?.outcome === 'aborted');
        } finally {
          waiting.elicitAction = 'accept';
        }
      });
    }

    it('client_gives_up_before_user: the client timing out leaves the window open; the next call takes its answer, no second window', async () => {
      const shown = prompter.shown.length;
      await assert.rejects(waiting.call(undefined, undefined, 1_000), /timed out/i);
      await prompter.nextPrompt(shown);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(prompter.shown[shown]?.outcome, 'open', 'the window stays until its own timeout or an answer');
      const retry = waiting.call();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(prompter.shown.length, shown + 1, 'the retry attached to the open request');
      prompter.shown[shown]?.answerNow?.({ approval: 'allow' });
      assertSuccess(await retry);
    });

    it(`an explicit cancel of the call ${mode === 'none' ? 'leaves the window open (the client cannot show it)' : 'closes the window (the client could have declined)'}`, async () => {
      const abort = new AbortController();
      const shown = prompter.shown.length;
      const call = waiting.call(undefined, abort.signal);
      await prompter.nextPrompt(shown);
      abort.abort();
      await assert.rejects(call);
      if (mode === 'none') {
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(prompter.shown[shown]?.outcome, 'open');
        prompter.shown[shown]?.answerNow?.({ approval: 'allow' });
        assertSuccess(await waiting.call());
      } else {
        await waitFor(() => prompter.shown[shown]?.outcome === 'aborted');
      }
    });

    it('timeout: nobody answers, the window closes, a timeout tool error', async () => {
      const short = await connect(mode, { promptTimeoutMs: SHORT_PROMPT_TIMEOUT_MS });
      prompter.answer({ hold: true });
      const started = Date.now();
      const { result, prompts, notices } = await exchange(short, () => short.call());
      assertToolError(result, 'timeout', /nobody answered the Keyhold window/);
      assert.ok(Date.now() - started >= SHORT_PROMPT_TIMEOUT_MS - 100);
      assertCodesMatch(prompts, notices);
      await waitFor(() => prompter.shown.at(-1)?.outcome === 'aborted');
    });

    it('Allow for session: later calls on this connection run without a window', async () => {
      prompter.answer({ approval: 'allow_session' });
      const first = await exchange(waiting, () => waiting.call());
      assertSuccess(first.result);
      assertCodesMatch(first.prompts, first.notices);
      const second = await exchange(waiting, () => waiting.call({ repo: 'octo/other', state: 'all' }));
      assertSuccess(second.result);
      assert.deepEqual(second.prompts, []);
      assert.deepEqual(second.notices, []);
    });

    if (mode === 'url') {
      it('failFast: -32042 with the http request link and the code; the retry gets the answer, no second window', async () => {
        prompter.answer({ approval: 'allow' });
        const mark = failFast.traffic.length;
        const shown = prompter.shown.length;
        const error = await failFast.call().then(
          () => assert.fail('expected -32042'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof UrlElicitationRequiredError, String(error));
        const elicitation = error.elicitations[0];
        assert.ok(elicitation);
        const prompt = await prompter.nextPrompt(shown);
        assert.equal(CODE.exec(elicitation.message)?.[0], prompt.verificationCode);
        assert.match(elicitation.url, /^http:\/\/127\.0\.0\.1:\d+\/request\/[A-Za-z0-9_-]{22}$/);
        assert.ok(elicitation.url.endsWith(`/request/${prompt.id}`), 'the link names the app\'s own prompt id');
        await waitFor(() => failFast.notifications('notifications/elicitation/complete', mark).length === 1);
        assert.deepEqual(failFast.notifications('notifications/elicitation/complete', mark), [{ elicitationId: elicitation.elicitationId }]);
        const retry = await exchange(failFast, () => failFast.call());
        assertSuccess(retry.result);
        assert.deepEqual(retry.prompts, [], 'the retry took the parked answer');
      });
    } else {
      it('failFast: without URL mode the call waits as usual', async () => {
        prompter.answer({ approval: 'allow' });
        const { result, prompts, notices } = await exchange(failFast, () => failFast.call());
        assertSuccess(result);
        assertCodesMatch(prompts, notices);
      });
    }
  });
}

describe('a token the API rejects', () => {
  it('401 upstream → invalidate → the entry window says it was rejected → new token → the call succeeds', async () => {
    await core.vault.put(SERVER, { [NAME]: STALE });
    const connection = await connect('url');
    prompter.answer({ approval: 'allow' }, { entry: { action: 'save', values: { [NAME]: VALID } } });
    const { result, prompts, notices } = await exchange(connection, () => connection.call());
    assertSuccess(result);
    assert.deepEqual(prompts.map((p) => p.kind), ['approval', 'entry']);
    const entry = prompts[1] as EntryPrompt;
    assert.deepEqual(entry.rejected?.names, [NAME]);
    assert.match(entry.rejected?.reason ?? '', /401/);
    assertCodesMatch(prompts, notices);
    assert.equal(await keychain.get(keychainService(SERVER), NAME), VALID);
    assert.ok(github.log.includes('GET /repos/octo/hello/issues → 401'));
  });
});

describe('no secret value in any MCP message', () => {
  it('secret_value_leak_into_mcp_traffic: neither token appears in any message (both directions) or in stderr', () => {
    assert.ok(connections.length >= 7);
    let messages = 0;
    for (const connection of connections) {
      const wire = JSON.stringify(connection.traffic);
      messages += connection.traffic.length;
      for (const secret of [VALID, STALE]) {
        assert.ok(!wire.includes(secret), 'a token reached an MCP message');
        assert.ok(!connection.stderr().includes(secret), 'a token reached the server stderr');
      }
    }
    assert.ok(messages > 50, `captured ${messages} messages`);
  });
});
