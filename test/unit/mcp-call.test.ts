/**
 * The one policy table (src/bridge/mcp/mcp-call.ts): what a call that needs
 * the user does, per era and per what the client declared.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { planCall, type ClientAbilities } from '../../src/bridge/mcp/mcp-call.js';

const abilities = (url: boolean, form: boolean): ClientAbilities => ({ url, form, log: false });

describe('planCall', () => {
  it('modern: input_required whenever the client can show an elicitation, else wait', () => {
    for (const failFast of [false, true]) {
      assert.equal(planCall({ era: 'modern', abilities: abilities(true, true) }, failFast), 'input_required');
      assert.equal(planCall({ era: 'modern', abilities: abilities(true, false) }, failFast), 'input_required');
      assert.equal(planCall({ era: 'modern', abilities: abilities(false, true) }, failFast), 'input_required');
      assert.equal(planCall({ era: 'modern', abilities: abilities(false, false) }, failFast), 'wait');
    }
  });

  it('legacy: -32042 only for failFast with a URL client; everyone else waits', () => {
    assert.equal(planCall({ era: 'legacy', abilities: abilities(true, true) }, true), 'fail_fast');
    assert.equal(planCall({ era: 'legacy', abilities: abilities(true, true) }, false), 'wait');
    assert.equal(planCall({ era: 'legacy', abilities: abilities(false, true) }, true), 'wait');
    assert.equal(planCall({ era: 'legacy', abilities: abilities(false, false) }, true), 'wait');
  });
});
