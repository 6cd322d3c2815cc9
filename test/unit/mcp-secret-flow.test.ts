/**
 * The era-agnostic gate (src/bridge/mcp/secret-flow.ts) through the v1 adapter
 * in process (test/helpers/mcp-harness.ts, FakeKeyholdApp): a waiting call
 * answers before the client's timeout with `pending`, and the next call takes
 * the answer given meanwhile from the same window.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CAPABILITIES, text, useMcpHarness } from '../helpers/mcp-harness.js';

describe('secret flow', () => {
  const { start } = useMcpHarness();

  it('client_gives_up_before_user: a call still waiting after answerWithinMs returns `pending` with the code; the window stays; the next call gets the answer', async () => {
    const h = await start(CAPABILITIES.none, { keyhold: { answerWithinMs: 300 } });
    h.app.decide('hold');
    const first = await h.call('whoami');
    assert.equal(first.isError, true);
    assert.equal(first._meta?.['keyhold/error'], 'pending');
    const prompt = h.app.prompts[0];
    assert.ok(prompt);
    assert.match(text(first), new RegExp(`approve the Keyhold window for TOKEN \\(verification code ${prompt.verificationCode}\\), then ask to run it again`));
    assert.equal(prompt.outcome, 'open');
    prompt.answer('allow');
    await new Promise((r) => setTimeout(r, 50));
    const second = await h.call('whoami');
    assert.equal(second.isError, undefined, text(second));
    assert.equal(h.app.prompts.length, 1, 'no second window');
  });

  it('answerWithinMs 0: the call holds until the window ends', async () => {
    const h = await start(CAPABILITIES.none, { keyhold: { answerWithinMs: 0, timeoutMs: 600 } });
    h.app.decide('hold');
    const result = await h.call('whoami');
    assert.equal(result._meta?.['keyhold/error'], 'timeout');
  });
});
