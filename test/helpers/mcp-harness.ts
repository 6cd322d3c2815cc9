/**
 * `@keyhold/bridge/mcp` in process, for the KeyholdMcp tests: an SDK Client
 * (with URL, form-only or no elicitation) ↔ InMemoryTransport ↔ McpServer
 * with KeyholdMcp ↔ the real KeyholdClient ↔ FakeKeyholdApp, recording every
 * JSON-RPC message. The tools the tests call are registered here.
 */
import assert from 'node:assert/strict';
import { after, afterEach } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  ElicitRequestSchema,
  type CallToolResult,
  type ClientCapabilities,
  type ElicitRequest,
  type ElicitResult,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

import { KeyholdMcp, SecretRejectedError, type KeyholdMcpOptions } from '../../src/bridge/mcp/v1/index.js';
import { FakeKeyholdApp } from '../../src/bridge/testing/index.js';

export const TOKEN = 'sk-live-5f1c0ffee5ecret';
export const NEW_TOKEN = 'sk-live-9b2fresh5ecret';

export const CAPABILITIES = {
  url: { elicitation: { url: {}, form: {} } },
  form: { elicitation: { form: {} } },
  none: {},
} satisfies Record<string, ClientCapabilities>;

export interface Harness {
  /** The fake app behind this harness, holding `{ demo: { TOKEN } }`. */
  readonly app: FakeKeyholdApp;
  readonly client: Client;
  readonly keyhold: KeyholdMcp;
  readonly server: McpServer;
  /** Every JSON-RPC message, both directions, in order. */
  readonly traffic: Array<{ dir: 'in' | 'out'; message: JSONRPCMessage }>;
  readonly elicitations: Array<ElicitRequest['params']>;
  notifications(method: string): Array<Record<string, unknown>>;
  call(name: string, args?: Record<string, unknown>, options?: { signal?: AbortSignal; progress?: boolean }): Promise<CallToolResult>;
}

export interface HarnessOptions {
  readonly elicit?: (params: ElicitRequest['params']) => ElicitResult | Promise<ElicitResult>;
  readonly keyhold?: Partial<KeyholdMcpOptions>;
  readonly logging?: boolean;
}

/**
 * Call inside a `describe`: cleans up after each test what `start` (or a test,
 * through `defer`) set up, and stops the last app after the suite.
 */
export function useMcpHarness(): { start(capabilities: ClientCapabilities, options?: HarnessOptions): Promise<Harness>; defer(cleanup: () => Promise<unknown>): void } {
  const cleanups: Array<() => Promise<unknown>> = [];
  let app: FakeKeyholdApp | undefined;
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });
  after(async () => {
    await app?.stop();
  });
  const defer = (cleanup: () => Promise<unknown>): void => void cleanups.push(cleanup);
  return {
    defer,
    start: async (capabilities, options = {}) => {
      app = await FakeKeyholdApp.start({ secrets: { demo: { TOKEN } } });
      const started = app;
      defer(() => started.stop());
      return startHarness(started, capabilities, options, defer);
    },
  };
}

async function startHarness(
  app: FakeKeyholdApp,
  capabilities: ClientCapabilities,
  options: HarnessOptions,
  defer: (cleanup: () => Promise<unknown>) => void,
): Promise<Harness> {
  const server = new McpServer({ name: 'demo', version: '1.0.0' }, options.logging === true ? { capabilities: { logging: {} } } : {});
  const keyhold = new KeyholdMcp({ server, name: 'demo', ...app.connection, timeoutMs: 5_000, ...options.keyhold });
  defer(() => keyhold.close());
  registerTools(keyhold, server);

  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const traffic: Harness['traffic'] = [];
  const send = clientTransport.send.bind(clientTransport);
  clientTransport.send = (message, sendOptions) => {
    traffic.push({ dir: 'out', message });
    return send(message, sendOptions);
  };
  clientTransport.onmessage = (message) => traffic.push({ dir: 'in', message });
  const client = new Client({ name: 'test-client', version: '1.0.0' }, { capabilities });
  const elicitations: Harness['elicitations'] = [];
  if (capabilities.elicitation !== undefined) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      elicitations.push(request.params);
      return (await options.elicit?.(request.params)) ?? { action: 'accept' };
    });
  }
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  defer(() => client.close());
  return {
    app,
    client,
    keyhold,
    server,
    traffic,
    elicitations,
    notifications: (method) =>
      traffic.flatMap(({ dir, message }) =>
        dir === 'in' && 'method' in message && !('id' in message) && message.method === method ? [(message.params ?? {}) as Record<string, unknown>] : [],
      ),
    call: (name, args = {}, callOptions = {}) =>
      client.callTool(
        // With onprogress the SDK client adds a progressToken to the call.
        { name, arguments: args },
        undefined,
        { ...(callOptions.signal === undefined ? {} : { signal: callOptions.signal }), ...(callOptions.progress === true ? { onprogress: () => undefined } : {}) },
      ) as Promise<CallToolResult>,
  };
}

export function assertNoSecretInTraffic(h: Harness, ...secrets: string[]): void {
  const wire = JSON.stringify(h.traffic);
  for (const secret of secrets) assert.ok(!wire.includes(secret), `a secret value reached an MCP message`);
}

/** Tools used by the tests; the secret values only ever go into computations, except where a test checks redaction. */
function registerTools(keyhold: KeyholdMcp, server: McpServer): void {
  const ok = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });
  keyhold.tool(
    'whoami',
    { description: 'Greets', inputSchema: { greeting: z.string().default('hello') } },
    { secrets: ['TOKEN'], reason: ({ greeting }) => `Greet with ${greeting}` },
    async ({ greeting }, { secrets }) => ok(`${greeting}, the token has ${secrets.TOKEN.length} characters`),
  );
  keyhold.tool('two_secrets', {}, { secrets: ['OTHER', 'TOKEN'] }, async ({ secrets }) => ok(`${secrets.OTHER.length + secrets.TOKEN.length}`));
  let upstreamCalls = 0;
  keyhold.tool('upstream', {}, { secrets: ['TOKEN'] }, async ({ secrets }) => {
    upstreamCalls += 1;
    if (secrets.TOKEN !== NEW_TOKEN) throw new SecretRejectedError('TOKEN', 'HTTP 401 from upstream');
    return ok(`upstream accepted the token`);
  });
  keyhold.tool('upstream_no_retry', {}, { secrets: ['TOKEN'], retryRejected: false }, async ({ secrets }) => {
    if (secrets.TOKEN !== NEW_TOKEN) throw new SecretRejectedError(['TOKEN'], 'HTTP 401 from upstream');
    return ok(`accepted after ${upstreamCalls} calls elsewhere`);
  });
  keyhold.tool('invalidate_me', {}, { secrets: ['TOKEN'] }, async ({ invalidate }) => {
    await invalidate('TOKEN', 'revoked upstream');
    return ok('marked');
  });
  keyhold.tool('echo_token', {}, { secrets: ['TOKEN'] }, async ({ secrets }) => ok(`token is ${secrets.TOKEN}`));
  keyhold.tool('throw_token', {}, { secrets: ['TOKEN'] }, async ({ secrets }) => {
    throw new Error(`request failed for ${secrets.TOKEN}`);
  });
  keyhold.tool(
    'echo_endpoint',
    {},
    { secrets: ['ENDPOINT'], fields: [{ name: 'ENDPOINT', label: 'API endpoint', type: 'url', required: true }] },
    async ({ secrets }) => ok(`endpoint is ${secrets.ENDPOINT}`),
  );
  const shape = { n: z.number() };
  server.registerTool(
    'wrapped',
    { inputSchema: shape },
    keyhold.withSecrets({ secrets: ['TOKEN'], tool: 'wrapped' }, async ({ n }, { secrets }) => ok(`${n} × ${secrets.TOKEN.length}`)),
  );
  server.registerTool('raw', {}, async (extra) => {
    const values = await keyhold.get(extra, { secrets: ['TOKEN'], tool: 'raw' });
    // @ts-expect-error only the declared names exist
    void values.OTHER;
    return ok(`${values.TOKEN.length}`);
  });
}

export function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

export function escape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function waitFor(condition: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
