/**
 * MCP end to end with a real fastmcp 4 server (test/fixtures/fastmcp-github-server.ts,
 * gated with `@keyhold/bridge/fastmcp`) ↔ stdio ↔ the SDK 1.x client (fastmcp
 * speaks the 2025-era protocol) ↔ the real core and keychain. fastmcp's context
 * has `elicit` and `signal`: URL-mode clients get the http link, form-only
 * clients a message-only form, others a log entry; declining or cancelling in
 * the client closes the window.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, type CallToolResult, type ClientCapabilities, type ElicitRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

import type { KeyholdCore } from '../../src/main/core/keyhold-core.js';
import { CODE, startMcpWorld, type McpWorld, assertSuccess, waitFor } from '../helpers/mcp-e2e-support.js';
import type { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { REPO_ROOT } from '../helpers/spawn-serve.js';

const SERVER = 'github-issues-fastmcp';
const NAME = 'GITHUB_TOKEN';
const VALID = `ghp_fastmcp${process.pid}x${Date.now().toString(36)}`;
const CAPABILITIES: Record<'url' | 'form' | 'none', ClientCapabilities> = { url: { elicitation: { url: {}, form: {} } }, form: { elicitation: { form: {} } }, none: {} };

let core: KeyholdCore;
let prompter: ScriptedPrompter;
const clients: Array<{ client: Client; traffic: JSONRPCMessage[]; stderr: () => string }> = [];

let world: McpWorld;

before(async () => {
  world = await startMcpWorld({ label: 'fastmcp-e2e', server: SERVER, secret: NAME, token: VALID });
  ({ core, prompter } = world);
  await core.vault.put(SERVER, { [NAME]: VALID });
});

after(async () => {
  for (const { client } of clients) await client.close().catch(() => undefined);
  await world.stop();
});

async function connect(mode: keyof typeof CAPABILITIES, elicit: (params: ElicitRequest['params']) => 'accept' | 'decline' = () => 'accept') {
  const env = world.env({ GITHUB_ISSUES_PROMPT_TIMEOUT_MS: '30000' });
  const transport = new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', 'test/fixtures/fastmcp-github-server.ts'], cwd: REPO_ROOT, env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const traffic: JSONRPCMessage[] = [];
  const send = transport.send.bind(transport);
  transport.send = (message) => {
    traffic.push(message);
    return send(message);
  };
  transport.onmessage = (message) => traffic.push(message);
  const client = new Client({ name: `fastmcp-${mode}`, version: '1.0.0' }, { capabilities: CAPABILITIES[mode] });
  const elicited: Array<ElicitRequest['params']> = [];
  if (mode !== 'none') {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      elicited.push(request.params);
      return { action: elicit(request.params) };
    });
  }
  await client.connect(transport);
  clients.push({ client, traffic, stderr: () => stderr });
  const call = (signal?: AbortSignal): Promise<CallToolResult> =>
    client.callTool({ name: 'list_issues', arguments: { repo: 'octo/hello' } }, undefined, signal === undefined ? {} : { signal }) as Promise<CallToolResult>;
  const logs = (): string[] => traffic.flatMap((m) => ('method' in m && m.method === 'notifications/message' ? [JSON.stringify((m.params as { data?: unknown }).data)] : []));
  return { call, elicited, logs };
}

describe('fastmcp 4 with @keyhold/bridge/fastmcp', () => {
  it('URL-mode client: a URL elicitation with the http link and the window code; Allow runs the tool', async () => {
    const c = await connect('url');
    prompter.answer({ approval: 'allow' });
    const shown = prompter.shown.length;
    assertSuccess(await c.call());
    const prompt = prompter.shown[shown]?.prompt;
    assert.equal(c.elicited[0]?.mode, 'url');
    assert.match(String((c.elicited[0] as { url?: string }).url), new RegExp(`^http://127\\.0\\.0\\.1:\\d+/request/${prompt?.id ?? '?'}$`));
    assert.equal(CODE.exec(c.elicited[0]?.message ?? '')?.[0], prompt?.verificationCode);
  });

  it('form-only client: a message-only form with the code', async () => {
    const c = await connect('form');
    prompter.answer({ approval: 'allow' });
    const shown = prompter.shown.length;
    assertSuccess(await c.call());
    assert.equal(c.elicited[0]?.mode ?? 'form', 'form');
    assert.deepEqual((c.elicited[0] as { requestedSchema?: unknown }).requestedSchema, { type: 'object', properties: {} });
    assert.equal(CODE.exec(c.elicited[0]?.message ?? '')?.[0], prompter.shown[shown]?.prompt.verificationCode);
  });

  it('no elicitation: the code in a log entry; Deny → a denied tool error', async () => {
    const c = await connect('none');
    prompter.answer({ approval: 'deny' });
    const shown = prompter.shown.length;
    const denied = await c.call();
    assert.equal(denied.isError, true, 'fastmcp results carry content + isError only (no _meta)');
    assert.match(JSON.stringify(denied.content), /the user denied \\"github-issues-fastmcp\\" access/);
    await waitFor(() => c.logs().length > 0);
    assert.equal(CODE.exec(c.logs().join('\n'))?.[0], prompter.shown[shown]?.prompt.verificationCode, JSON.stringify(c.logs()));
  });

  it('declining in the client closes the window; so does cancelling the call', async () => {
    const declining = await connect('url', () => 'decline');
    let shown = prompter.shown.length;
    const declined = await declining.call();
    assert.equal(declined.isError, true);
    assert.match(JSON.stringify(declined.content), /declined the Keyhold request/);
    await waitFor(() => prompter.shown[shown]?.outcome === 'aborted');

    const cancelling = await connect('url');
    shown = prompter.shown.length;
    const abort = new AbortController();
    const call = cancelling.call(abort.signal);
    await prompter.nextPrompt(shown);
    abort.abort();
    await assert.rejects(call);
    await waitFor(() => prompter.shown[shown]?.outcome === 'aborted');
  });

  it('secret_value_leak_into_mcp_traffic: the token is in no MCP message and no server output', () => {
    for (const { traffic, stderr } of clients) {
      assert.ok(!JSON.stringify(traffic).includes(VALID));
      assert.ok(!stderr().includes(VALID));
    }
  });
});
