/**
 * KeyholdMcp in process (test/helpers/mcp-harness.ts): how a gated tool
 * call ends: the tool errors, failFast (-32042 and the parked request),
 * rejected values, redaction, the other entry points (withSecrets, get, a
 * client passed in), and the structural fastmcp adapter.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, UrlElicitationRequiredError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

import { KeyholdClient } from '../../src/bridge/index.js';
import { KeyholdFastMcp } from '../../src/bridge/mcp/fastmcp.js';
import { KeyholdMcp, REDACTED } from '../../src/bridge/mcp/v1/index.js';
import { FakeKeyholdApp } from '../../src/bridge/testing/index.js';
import { CAPABILITIES, NEW_TOKEN, TOKEN, assertNoSecretInTraffic, escape, text, useMcpHarness, waitFor } from '../helpers/mcp-harness.js';

describe('KeyholdMcp', () => {
  const { start, defer } = useMcpHarness();

  describe('tool errors', () => {
    it('denied, timeout and the app not running each read clearly, with the code in _meta', async () => {
      const h = await start(CAPABILITIES.none, { keyhold: { timeoutMs: 300 } });
      h.app.decide('deny');
      const denied = await h.call('whoami');
      assert.equal(denied.isError, true);
      assert.equal(denied._meta?.['keyhold/error'], 'denied');
      assert.match(text(denied), /whoami did not run: the user denied "demo" access to TOKEN/);
      const timedOut = await h.call('whoami');
      assert.equal(timedOut._meta?.['keyhold/error'], 'timeout');
      assert.match(text(timedOut), /nobody answered the Keyhold window/);
      await h.app.stop();
      const down = await h.call('whoami');
      assert.equal(down._meta?.['keyhold/error'], 'unavailable');
      assert.match(text(down), /Keyhold/);
      assert.doesNotMatch(text(down), /\n\s+at /, 'no stack trace');
    });

    it('client_gives_up_before_user: a client without elicitation cancelling the call leaves the window open; the next call attaches to it', async () => {
      const h = await start(CAPABILITIES.none);
      const abort = new AbortController();
      const call = h.call('whoami', {}, { signal: abort.signal });
      await h.app.nextPrompt();
      abort.abort();
      await assert.rejects(call);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(h.app.prompts[0]?.outcome, 'open');
      const next = h.call('whoami');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(h.app.prompts.length, 1, 'no second window');
      h.app.prompts[0]?.answer('allow');
      assert.equal((await next).isError, undefined);
    });

    it('a client that shows elicitations and cancels the call explicitly closes the window', async () => {
      const h = await start(CAPABILITIES.url);
      const abort = new AbortController();
      const call = h.call('whoami', {}, { signal: abort.signal });
      await h.app.nextPrompt();
      abort.abort();
      await assert.rejects(call);
      await waitFor(() => h.app.prompts[0]?.outcome === 'aborted');
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
      const prompt = await h.app.nextPrompt(0);
      const [elicitation] = error.elicitations;
      assert.ok(elicitation);
      assert.ok(elicitation.url.startsWith('http://127.0.0.1:') && elicitation.url.endsWith(`/request/${prompt.link}`), elicitation.url);
      assert.ok(elicitation.message.includes(prompt.verificationCode));
      assert.equal(prompt.outcome, 'open', 'the request stays open in the app');
      prompt.answer('allow');
      await waitFor(() => h.notifications('notifications/elicitation/complete').length === 1);
      assert.deepEqual(h.notifications('notifications/elicitation/complete'), [{ elicitationId: elicitation.elicitationId }]);
      const retry = await h.call('whoami');
      assert.equal(retry.isError, undefined);
      assert.equal(h.app.prompts.length, 1);
      assertNoSecretInTraffic(h, TOKEN);
    });

    it('a retry before the user answered waits for the same window', async () => {
      const h = await start(CAPABILITIES.url, { keyhold: { failFast: true } });
      await assert.rejects(h.call('whoami'), (e) => e instanceof McpError && e.code === ErrorCode.UrlElicitationRequired);
      const retry = h.call('whoami');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(h.app.prompts.length, 1);
      h.app.prompts[0]?.answer('deny');
      const result = await retry;
      assert.equal(result._meta?.['keyhold/error'], 'denied');
      // The denial was collected: the next call starts over.
      await assert.rejects(h.call('whoami'), (e) => e instanceof UrlElicitationRequiredError);
      assert.equal(h.app.prompts.length, 2);
    });

    it('with nothing to ask (session grant) the call just runs', async () => {
      const h = await start(CAPABILITIES.url, { keyhold: { failFast: true } });
      h.app.decide('allow_session');
      await assert.rejects(h.call('whoami'), (e) => e instanceof UrlElicitationRequiredError);
      assert.equal((await h.call('whoami')).isError, undefined, 'the retry');
      assert.equal((await h.call('whoami')).isError, undefined, 'granted for the session');
      assert.equal(h.app.prompts.length, 1);
    });

    it('a client without URL mode waits as usual', async () => {
      const h = await start(CAPABILITIES.form, { keyhold: { failFast: true } });
      h.app.decide('allow');
      assert.equal((await h.call('whoami')).isError, undefined);
    });
  });

  describe('rejected values', () => {
    it('SecretRejectedError: Keyhold asks again (saying why) and the handler runs once more', async () => {
      const h = await start(CAPABILITIES.url);
      h.app.decide('allow', { save: { TOKEN: NEW_TOKEN } });
      const result = await h.call('upstream');
      assert.deepEqual(result.content, [{ type: 'text', text: 'upstream accepted the token' }]);
      assert.deepEqual(h.app.prompts.map((p) => p.kind), ['approval', 'entry']);
      assert.deepEqual(h.app.prompts[1]?.rejected, { names: ['TOKEN'], reason: 'HTTP 401 from upstream' });
      assert.equal(h.app.store.get('demo', 'TOKEN'), NEW_TOKEN);
      assertNoSecretInTraffic(h, TOKEN, NEW_TOKEN);
    });

    it('without retryRejected the call fails and the next call asks for a new value', async () => {
      const h = await start(CAPABILITIES.none);
      h.app.decide('allow', { save: { TOKEN: NEW_TOKEN } });
      const failed = await h.call('upstream_no_retry');
      assert.equal(failed._meta?.['keyhold/error'], 'rejected');
      assert.match(text(failed), /rejected TOKEN \(HTTP 401 from upstream\)/);
      assert.equal((await h.call('upstream_no_retry')).isError, undefined);
      assert.equal(h.app.prompts[1]?.kind, 'entry');
    });

    it('invalidate() from the handler marks the value for the next call', async () => {
      const h = await start(CAPABILITIES.none);
      h.app.decide('allow');
      await h.call('invalidate_me');
      assert.deepEqual(h.app.calls.at(-1), { type: 'secrets.invalidate', server: 'demo', names: ['TOKEN'], reason: 'revoked upstream' });
      assert.ok(h.app.store.rejection('demo', 'TOKEN'));
    });
  });

  describe('redaction', () => {
    it('a value returned or thrown by mistake is redacted; non-secret fields are not', async () => {
      const h = await start(CAPABILITIES.none);
      h.app.decide('allow', 'allow', { save: { ENDPOINT: 'https://api.example.com' } });
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
      h.app.decide('allow', 'allow');
      assert.deepEqual((await h.call('wrapped', { n: 2 })).content, [{ type: 'text', text: `2 × ${TOKEN.length}` }]);
      assert.equal(h.app.prompts[0]?.tool, 'wrapped');
      assert.equal((await h.call('raw')).isError, undefined);
    });

    it('a KeyholdClient can be passed in; close() leaves it open', async () => {
      const app = await FakeKeyholdApp.start({ secrets: { demo: { TOKEN } }, decisions: ['allow'] });
      defer(() => app.stop());
      const client = new KeyholdClient({ server: { name: 'demo' }, ...app.connection });
      defer(() => client.close());
      const keyhold = new KeyholdMcp({ server: new McpServer({ name: 'demo', version: '1' }), name: 'demo', client });
      await keyhold.close();
      assert.deepEqual(await client.get(['TOKEN']), { TOKEN });
    });
  });

  describe('KeyholdFastMcp (structural fastmcp adapter)', () => {
    it('gates an execute function, logs the code, returns a fastmcp error result on denial', async () => {
      const app = await FakeKeyholdApp.start({ secrets: { demo: { TOKEN } }, decisions: ['allow', 'deny'] });
      defer(() => app.stop());
      const keyhold = new KeyholdFastMcp({ name: 'demo', ...app.connection });
      defer(() => keyhold.close());
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
