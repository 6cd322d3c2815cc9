/**
 * `@keyhold/bridge/mcp` in process: an SDK Client (with URL, form-only or no
 * elicitation) ↔ InMemoryTransport ↔ McpServer with KeyholdMcp ↔ the real
 * KeyholdClient ↔ FakeKeyholdApp. Checks what the client is told for each
 * capability, the tool errors, failFast, rejection and redaction.
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  ElicitRequestSchema,
  ErrorCode,
  McpError,
  UrlElicitationRequiredError,
  type CallToolResult,
  type ClientCapabilities,
  type ElicitRequest,
  type ElicitResult,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

import { KeyholdClient } from '../../src/bridge/index.js';
import { KeyholdFastMcp, KeyholdMcp, REDACTED, SecretRejectedError, type KeyholdMcpOptions } from '../../src/bridge/mcp/index.js';
import { FakeKeyholdApp } from '../../src/bridge/testing/index.js';

const TOKEN = 'sk-live-5f1c0ffee5ecret';
const NEW_TOKEN = 'sk-live-9b2fresh5ecret';

const CAPABILITIES = {
  url: { elicitation: { url: {}, form: {} } },
  form: { elicitation: { form: {} } },
  none: {},
} satisfies Record<string, ClientCapabilities>;

interface Harness {
  readonly client: Client;
  readonly keyhold: KeyholdMcp;
  readonly server: McpServer;
  /** Every JSON-RPC message, both directions, in order. */
  readonly traffic: Array<{ dir: 'in' | 'out'; message: JSONRPCMessage }>;
  readonly elicitations: Array<ElicitRequest['params']>;
  notifications(method: string): Array<Record<string, unknown>>;
  call(name: string, args?: Record<string, unknown>, options?: { signal?: AbortSignal; progress?: boolean }): Promise<CallToolResult>;
}

describe('KeyholdMcp', () => {
  let app: FakeKeyholdApp;
  const cleanups: Array<() => Promise<unknown>> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });
  after(async () => {
    await app?.stop();
  });

  async function start(
    capabilities: ClientCapabilities,
    options: { elicit?: (params: ElicitRequest['params']) => ElicitResult | Promise<ElicitResult>; keyhold?: Partial<KeyholdMcpOptions>; logging?: boolean } = {},
  ): Promise<Harness> {
    app = await FakeKeyholdApp.start({ secrets: { demo: { TOKEN } } });
    cleanups.push(() => app.stop());
    const server = new McpServer({ name: 'demo', version: '1.0.0' }, options.logging === true ? { capabilities: { logging: {} } } : {});
    const keyhold = new KeyholdMcp({ server, name: 'demo', ...app.connection, timeoutMs: 5_000, ...options.keyhold });
    cleanups.push(() => keyhold.close());
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
    cleanups.push(() => client.close());
    return {
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

  function assertNoSecretInTraffic(h: Harness, ...secrets: string[]): void {
    const wire = JSON.stringify(h.traffic);
    for (const secret of secrets) assert.ok(!wire.includes(secret), `a secret value reached an MCP message`);
  }

  describe('URL-mode client', () => {
    it('gets a keyhold:// URL elicitation with the window code, then the completion notification', async () => {
      const h = await start(CAPABILITIES.url);
      app.decide('allow');
      const result = await h.call('whoami', { greeting: 'hi' });
      assert.deepEqual(result.content, [{ type: 'text', text: `hi, the token has ${TOKEN.length} characters` }]);
      const [prompt] = app.prompts;
      const [elicitation] = h.elicitations;
      assert.ok(prompt && elicitation && elicitation.mode === 'url');
      assert.equal(elicitation.url, `keyhold://request/${prompt.requestId}`);
      assert.ok(elicitation.message.includes(prompt.verificationCode), elicitation.message);
      assert.match(elicitation.message, /"demo"/);
      assert.match(elicitation.message, /TOKEN/);
      assert.equal(prompt.reason, 'Greet with hi');
      assert.equal(prompt.tool, 'whoami');
      assert.deepEqual(h.notifications('notifications/elicitation/complete'), [{ elicitationId: elicitation.elicitationId }]);
      assertNoSecretInTraffic(h, TOKEN);
    });

    it('declining the elicitation cancels the Keyhold request: the window closes, the tool reports it', async () => {
      const h = await start(CAPABILITIES.url, { elicit: () => ({ action: 'decline' }) });
      const result = await h.call('whoami');
      assert.equal(result.isError, true);
      assert.equal(result._meta?.['keyhold/error'], 'cancelled');
      assert.match(text(result), /declined the Keyhold request/);
      await waitFor(() => app.prompts[0]?.outcome === 'aborted');
      assert.deepEqual(h.notifications('notifications/elicitation/complete'), [], 'nothing to complete after a decline');
    });

    it('entry then approval: one elicitation per window, each with its own code', async () => {
      const h = await start(CAPABILITIES.url);
      app.decide({ save: { OTHER: 'other-value' } }, 'allow');
      const result = await h.call('two_secrets');
      assert.equal(result.isError, undefined);
      assert.deepEqual(app.prompts.map((p) => p.kind), ['entry', 'approval']);
      assert.deepEqual(
        h.elicitations.map((e) => e.message.includes(app.prompts[h.elicitations.indexOf(e)]?.verificationCode ?? '?')),
        [true, true],
      );
      assert.equal(h.notifications('notifications/elicitation/complete').length, 2);
    });
  });

  describe('form-only client', () => {
    it('gets a message-only confirmation with the code; accepting it leaves the window to decide', async () => {
      const h = await start(CAPABILITIES.form);
      app.decide('hold');
      const call = h.call('whoami');
      const prompt = await app.nextPrompt();
      await waitFor(() => h.elicitations.length === 1);
      const [elicitation] = h.elicitations;
      assert.ok(elicitation && elicitation.mode !== 'url');
      assert.deepEqual(elicitation.requestedSchema, { type: 'object', properties: {} });
      assert.ok(elicitation.message.includes(prompt.verificationCode));
      prompt.answer('allow');
      assert.equal((await call).isError, undefined);
    });

    it('declining cancels the request; the window closes', async () => {
      const h = await start(CAPABILITIES.form, { elicit: () => ({ action: 'cancel' }) });
      const result = await h.call('whoami');
      assert.equal(result._meta?.['keyhold/error'], 'cancelled');
      await waitFor(() => app.prompts[0]?.outcome === 'aborted');
    });

    it('a confirmation still open when the window is answered is withdrawn (notifications/cancelled)', async () => {
      let release!: () => void;
      const h = await start(CAPABILITIES.form, { elicit: () => new Promise<ElicitResult>((resolve) => (release = () => resolve({ action: 'accept' }))) });
      app.decide('allow');
      assert.equal((await h.call('whoami')).isError, undefined);
      const cancelled = h.notifications('notifications/cancelled');
      assert.equal(cancelled.length, 1);
      release();
    });
  });

  describe('client without elicitation', () => {
    it('gets the code as a log notification, and as progress when the call has a progressToken', async () => {
      const h = await start(CAPABILITIES.none);
      app.decide('allow');
      assert.equal((await h.call('whoami', {}, { progress: true })).isError, undefined);
      const code = app.prompts[0]?.verificationCode ?? '?';
      const logs = h.notifications('notifications/message');
      assert.equal(logs.length, 1);
      assert.equal(logs[0]?.level, 'notice');
      assert.equal(logs[0]?.logger, 'keyhold');
      assert.ok(String(logs[0]?.data).includes(code));
      const progress = h.notifications('notifications/progress');
      assert.ok(progress.length >= 1);
      assert.notEqual(progress[0]?.progressToken, undefined);
      assert.ok(String(progress[0]?.message).includes(code));
    });

    it('works as well when the server declared logging itself', async () => {
      const h = await start(CAPABILITIES.none, { logging: true });
      await h.client.setLoggingLevel('debug');
      app.decide('allow');
      assert.equal((await h.call('whoami')).isError, undefined);
      assert.equal(h.notifications('notifications/message').length, 1);
    });
  });

  describe('tool errors', () => {
    it('denied, timeout and the app not running each read clearly, with the code in _meta', async () => {
      const h = await start(CAPABILITIES.none, { keyhold: { timeoutMs: 300 } });
      app.decide('deny');
      const denied = await h.call('whoami');
      assert.equal(denied.isError, true);
      assert.equal(denied._meta?.['keyhold/error'], 'denied');
      assert.match(text(denied), /whoami did not run: the user denied "demo" access to TOKEN/);
      const timedOut = await h.call('whoami');
      assert.equal(timedOut._meta?.['keyhold/error'], 'timeout');
      assert.match(text(timedOut), /nobody answered the Keyhold window/);
      await app.stop();
      const down = await h.call('whoami');
      assert.equal(down._meta?.['keyhold/error'], 'unavailable');
      assert.match(text(down), /Keyhold/);
      assert.doesNotMatch(text(down), /\n\s+at /, 'no stack trace');
    });

    it('a client cancelling the tool call closes the window', async () => {
      const h = await start(CAPABILITIES.url);
      const abort = new AbortController();
      const call = h.call('whoami', {}, { signal: abort.signal });
      await app.nextPrompt();
      abort.abort();
      await assert.rejects(call);
      await waitFor(() => app.prompts[0]?.outcome === 'aborted');
    });
  });

  describe('failFast', () => {
    it('answers -32042 with the URL and code; the retry gets the answer without a second window', async () => {
      const h = await start(CAPABILITIES.url, { keyhold: { failFast: true } });
      const error = await h.call('whoami').then(
        () => assert.fail('expected -32042'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof UrlElicitationRequiredError, String(error));
      assert.equal(error.code, ErrorCode.UrlElicitationRequired);
      const prompt = await app.nextPrompt(0);
      const [elicitation] = error.elicitations;
      assert.ok(elicitation);
      assert.equal(elicitation.url, `keyhold://request/${prompt.requestId}`);
      assert.ok(elicitation.message.includes(prompt.verificationCode));
      assert.equal(prompt.outcome, 'open', 'the request stays open in the app');
      prompt.answer('allow');
      await waitFor(() => h.notifications('notifications/elicitation/complete').length === 1);
      assert.deepEqual(h.notifications('notifications/elicitation/complete'), [{ elicitationId: elicitation.elicitationId }]);
      const retry = await h.call('whoami');
      assert.equal(retry.isError, undefined);
      assert.equal(app.prompts.length, 1);
      assertNoSecretInTraffic(h, TOKEN);
    });

    it('a retry before the user answered waits for the same window', async () => {
      const h = await start(CAPABILITIES.url, { keyhold: { failFast: true } });
      await assert.rejects(h.call('whoami'), (e) => e instanceof McpError && e.code === ErrorCode.UrlElicitationRequired);
      const retry = h.call('whoami');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(app.prompts.length, 1);
      app.prompts[0]?.answer('deny');
      const result = await retry;
      assert.equal(result._meta?.['keyhold/error'], 'denied');
      // The denial was collected: the next call starts over.
      await assert.rejects(h.call('whoami'), (e) => e instanceof UrlElicitationRequiredError);
      assert.equal(app.prompts.length, 2);
    });

    it('with nothing to ask (session grant) the call just runs', async () => {
      const h = await start(CAPABILITIES.url, { keyhold: { failFast: true } });
      app.decide('allow_session');
      await assert.rejects(h.call('whoami'), (e) => e instanceof UrlElicitationRequiredError);
      assert.equal((await h.call('whoami')).isError, undefined, 'the retry');
      assert.equal((await h.call('whoami')).isError, undefined, 'granted for the session');
      assert.equal(app.prompts.length, 1);
    });

    it('a client without URL mode waits as usual', async () => {
      const h = await start(CAPABILITIES.form, { keyhold: { failFast: true } });
      app.decide('allow');
      assert.equal((await h.call('whoami')).isError, undefined);
    });
  });

  describe('rejected values', () => {
    it('SecretRejectedError: Keyhold asks again (saying why) and the handler runs once more', async () => {
      const h = await start(CAPABILITIES.url);
      app.decide('allow', { save: { TOKEN: NEW_TOKEN } });
      const result = await h.call('upstream');
      assert.deepEqual(result.content, [{ type: 'text', text: 'upstream accepted the token' }]);
      assert.deepEqual(app.prompts.map((p) => p.kind), ['approval', 'entry']);
      assert.deepEqual(app.prompts[1]?.rejected, { names: ['TOKEN'], reason: 'HTTP 401 from upstream' });
      assert.equal(app.store.get('demo', 'TOKEN'), NEW_TOKEN);
      assertNoSecretInTraffic(h, TOKEN, NEW_TOKEN);
    });

    it('without retryRejected the call fails and the next call asks for a new value', async () => {
      const h = await start(CAPABILITIES.none);
      app.decide('allow', { save: { TOKEN: NEW_TOKEN } });
      const failed = await h.call('upstream_no_retry');
      assert.equal(failed._meta?.['keyhold/error'], 'rejected');
      assert.match(text(failed), /rejected TOKEN \(HTTP 401 from upstream\)/);
      assert.equal((await h.call('upstream_no_retry')).isError, undefined);
      assert.equal(app.prompts[1]?.kind, 'entry');
    });

    it('invalidate() from the handler marks the value for the next call', async () => {
      const h = await start(CAPABILITIES.none);
      app.decide('allow');
      await h.call('invalidate_me');
      assert.deepEqual(app.calls.at(-1), { type: 'secrets.invalidate', server: 'demo', names: ['TOKEN'], reason: 'revoked upstream' });
      assert.ok(app.store.rejection('demo', 'TOKEN'));
    });
  });

  describe('redaction', () => {
    it('a value returned or thrown by mistake is redacted; non-secret fields are not', async () => {
      const h = await start(CAPABILITIES.none);
      app.decide('allow', 'allow', { save: { ENDPOINT: 'https://api.example.com' } });
      const echoed = await h.call('echo_token');
      assert.equal(text(echoed), `token is ${REDACTED}`);
      const thrown = await h.call('throw_token');
      assert.equal(thrown.isError, true);
      assert.match(text(thrown), new RegExp(`failed for ${escape(REDACTED)}`));
      const endpoint = await h.call('echo_endpoint');
      assert.equal(text(endpoint), 'endpoint is https://api.example.com');
      assertNoSecretInTraffic(h, TOKEN);
    });
  });

  describe('other entry points', () => {
    it('withSecrets() wraps a registerTool callback; get() serves any handler', async () => {
      const h = await start(CAPABILITIES.none);
      app.decide('allow', 'allow');
      assert.deepEqual((await h.call('wrapped', { n: 2 })).content, [{ type: 'text', text: `2 × ${TOKEN.length}` }]);
      assert.equal(app.prompts[0]?.tool, 'wrapped');
      assert.equal((await h.call('raw')).isError, undefined);
    });

    it('a KeyholdClient can be passed in; close() leaves it open', async () => {
      app = await FakeKeyholdApp.start({ secrets: { demo: { TOKEN } }, decisions: ['allow'] });
      cleanups.push(() => app.stop());
      const client = new KeyholdClient({ server: { name: 'demo' }, ...app.connection });
      cleanups.push(() => client.close());
      const keyhold = new KeyholdMcp({ server: new McpServer({ name: 'demo', version: '1' }), name: 'demo', client });
      await keyhold.close();
      assert.deepEqual(await client.get(['TOKEN']), { TOKEN });
    });
  });

  describe('KeyholdFastMcp (structural fastmcp adapter)', () => {
    it('gates an execute function, logs the code, returns a fastmcp error result on denial', async () => {
      app = await FakeKeyholdApp.start({ secrets: { demo: { TOKEN } }, decisions: ['allow', 'deny'] });
      cleanups.push(() => app.stop());
      const keyhold = new KeyholdFastMcp({ name: 'demo', ...app.connection });
      cleanups.push(() => keyhold.close());
      const warnings: string[] = [];
      const progress: number[] = [];
      const context: FastMcpLikeContext = {
        log: { debug: () => undefined, error: () => undefined, info: () => undefined, warn: (message) => void warnings.push(message) },
        reportProgress: async ({ progress: p }) => void progress.push(p),
        session: undefined,
        streamContent: async () => undefined,
      };
      const tool = fastMcpAddTool({
        name: 'count',
        parameters: z.object({ word: z.string() }),
        execute: keyhold.withSecrets({ secrets: ['TOKEN'], tool: 'count' }, async ({ word }, { secrets, log }) => {
          log.info('typed like fastmcp');
          return `${word}:${secrets.TOKEN.length}`;
        }),
      });
      assert.equal(await tool.execute({ word: 'len' }, context), `len:${TOKEN.length}`);
      assert.ok(warnings[0]?.includes(app.prompts[0]?.verificationCode ?? '?'));
      assert.deepEqual(progress, [1]);
      const denied = await tool.execute({ word: 'len' }, context);
      assert.equal(typeof denied, 'object');
      assert.deepEqual(Object.keys(denied as object).sort(), ['content', 'isError'], 'fastmcp accepts only content + isError');
      assert.match(JSON.stringify(denied), /count did not run: the user denied/);
    });
  });
});

/** fastmcp's tool types, reduced to what the adapter meets (from fastmcp's published sources). */
type Serializable = string | number | boolean | null | undefined | { [key: string]: Serializable } | Serializable[];
interface FastMcpLikeContext {
  log: Record<'debug' | 'error' | 'info' | 'warn', (message: string, data?: Serializable) => void>;
  reportProgress: (progress: { progress: number; total?: number }) => Promise<void>;
  session: Record<string, unknown> | undefined;
  streamContent: (content: unknown) => Promise<void>;
}
type FastMcpLikeResult = string | undefined | { content: Array<{ type: 'text'; text: string }>; isError?: boolean };
interface FastMcpLikeTool<Params extends z.ZodType> {
  name: string;
  parameters?: Params;
  execute: (args: z.infer<Params>, context: FastMcpLikeContext) => Promise<FastMcpLikeResult>;
}
function fastMcpAddTool<Params extends z.ZodType>(tool: FastMcpLikeTool<Params>): FastMcpLikeTool<Params> {
  return tool;
}

/** Tools used above; the secret values only ever go into computations, except where a test checks redaction. */
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

function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

function escape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function waitFor(condition: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
