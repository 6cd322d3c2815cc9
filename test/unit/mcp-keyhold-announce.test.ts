/**
 * KeyholdMcp in process (test/helpers/mcp-harness.ts): what an MCP client is
 * told about each Keyhold window, by capability: a keyhold:// URL
 * elicitation, a message-only form confirmation, or a log notification and
 * progress, each with the window's verification code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ElicitResult } from '@modelcontextprotocol/sdk/types.js';

import { CAPABILITIES, TOKEN, assertNoSecretInTraffic, escape, text, useMcpHarness, waitFor } from '../helpers/mcp-harness.js';

describe('KeyholdMcp', () => {
  const { start } = useMcpHarness();

  describe('URL-mode client', () => {
    it('gets an http request-link URL elicitation with the window code, then the completion notification', async () => {
      const h = await start(CAPABILITIES.url);
      h.app.decide('allow');
      const result = await h.call('whoami', { greeting: 'hi' });
      assert.deepEqual(result.content, [{ type: 'text', text: `hi, the token has ${TOKEN.length} characters` }]);
      const [prompt] = h.app.prompts;
      const [elicitation] = h.elicitations;
      assert.ok(prompt && elicitation && elicitation.mode === 'url');
      assert.match(elicitation.url, new RegExp(`^http://127\\.0\\.0\\.1:\\d+/request/${escape(prompt.link)}$`));
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
      await waitFor(() => h.app.prompts[0]?.outcome === 'aborted');
      assert.deepEqual(h.notifications('notifications/elicitation/complete'), [], 'nothing to complete after a decline');
    });

    it('entry then approval: one elicitation per window, each with its own code', async () => {
      const h = await start(CAPABILITIES.url);
      h.app.decide({ save: { OTHER: 'other-value' } }, 'allow');
      const result = await h.call('two_secrets');
      assert.equal(result.isError, undefined);
      assert.deepEqual(h.app.prompts.map((p) => p.kind), ['entry', 'approval']);
      assert.deepEqual(
        h.elicitations.map((e) => e.message.includes(h.app.prompts[h.elicitations.indexOf(e)]?.verificationCode ?? '?')),
        [true, true],
      );
      assert.equal(h.notifications('notifications/elicitation/complete').length, 2);
    });
  });

  describe('form-only client', () => {
    it('gets a message-only confirmation with the code; accepting it leaves the window to decide', async () => {
      const h = await start(CAPABILITIES.form);
      h.app.decide('hold');
      const call = h.call('whoami');
      const prompt = await h.app.nextPrompt();
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
      await waitFor(() => h.app.prompts[0]?.outcome === 'aborted');
    });

    it('a confirmation still open when the window is answered is withdrawn (notifications/cancelled)', async () => {
      let release!: () => void;
      const h = await start(CAPABILITIES.form, { elicit: () => new Promise<ElicitResult>((resolve) => (release = () => resolve({ action: 'accept' }))) });
      h.app.decide('allow');
      assert.equal((await h.call('whoami')).isError, undefined);
      const cancelled = h.notifications('notifications/cancelled');
      assert.equal(cancelled.length, 1);
      release();
    });
  });

  describe('client without elicitation', () => {
    it('gets the code as a log notification, and as progress when the call has a progressToken', async () => {
      const h = await start(CAPABILITIES.none);
      h.app.decide('allow');
      assert.equal((await h.call('whoami', {}, { progress: true })).isError, undefined);
      const code = h.app.prompts[0]?.verificationCode ?? '?';
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
      h.app.decide('allow');
      assert.equal((await h.call('whoami')).isError, undefined);
      assert.equal(h.notifications('notifications/message').length, 1);
    });
  });
});
