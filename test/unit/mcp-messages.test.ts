/**
 * src/bridge/mcp/messages.ts: every notice carries the verification code and
 * names server, secrets and tool; every failure code has its sentence; no
 * sentence carries a value it was not given.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { describeDuration, failFastMessage, failureText, keyholdRequestUrl, listNames, rejectedText, windowNotice } from '../../src/bridge/mcp/messages.js';
import { ERROR_CODES } from '../../src/shared/bridge-protocol.js';
import { KeyholdError } from '../../src/shared/keyhold-error.js';

const subject = { serverName: 'github', names: ['GITHUB_TOKEN', 'ORG'], tool: 'list_issues' };
const event = { id: 'r/1', kind: 'approval' as const, verificationCode: 'K7QM-3XHD', expiresAt: 120_000 };

describe('mcp messages', () => {
  it('every notice style names the server, the secrets and the tool, and carries the code', () => {
    for (const style of ['url', 'form', 'log'] as const) {
      for (const kind of ['approval', 'entry'] as const) {
        const text = windowNotice(subject, { ...event, kind }, style, 0);
        for (const part of ['"github"', 'GITHUB_TOKEN and ORG', 'list_issues', 'K7QM-3XHD']) assert.ok(text.includes(part), `${style}/${kind}: ${part}`);
      }
    }
    assert.match(windowNotice(subject, event, 'log', 0), /at most 2 min/);
    assert.match(windowNotice(subject, { ...event, kind: 'entry' }, 'url', 0), /never in this chat/);
  });

  it('the request URL escapes the id; the failFast message says to answer and run again', () => {
    assert.equal(keyholdRequestUrl('r/1'), 'keyhold://request/r%2F1');
    assert.equal(failFastMessage(subject), 'list_issues needs GITHUB_TOKEN and ORG from Keyhold: answer the Keyhold window, then run it again.');
  });

  it('every error code has a sentence that names the tool; cancellations say who cancelled', () => {
    for (const code of ERROR_CODES) {
      const text = failureText(new KeyholdError(code, 'detail'), subject);
      assert.ok(text.startsWith('list_issues'), code);
    }
    const cancelled = new KeyholdError('cancelled', 'x');
    assert.match(failureText(cancelled, subject, 'declined'), /declined/);
    assert.match(failureText(cancelled, subject, 'client_cancelled'), /cancelled by the MCP client/);
    assert.match(failureText(new KeyholdError('denied', 'x'), { serverName: 's', names: ['A'] }), /^The tool did not run/);
  });

  it('rejectedText, listNames and describeDuration', () => {
    assert.equal(rejectedText(subject, ['GITHUB_TOKEN'], 'HTTP 401'), 'list_issues failed: the service rejected GITHUB_TOKEN (HTTP 401). Keyhold will ask the user for a new value on the next call.');
    assert.equal(listNames([]), 'no secret');
    assert.equal(listNames(['A', 'B', 'C']), 'A, B and C');
    assert.equal(describeDuration(500), '1 s');
    assert.equal(describeDuration(89_000), '89 s');
    assert.equal(describeDuration(300_000), '5 min');
  });
});
