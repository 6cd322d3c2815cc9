import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { promptIdFromArgv, promptIdFromLink } from '../../src/main/electron/deep-link.js';

const id = '3f2a9c1e-8b7d-4c2a-9e1f-0a1b2c3d4e5f';

describe('keyhold:// request links', () => {
  it('reads the prompt id of keyhold://request/<id>', () => {
    assert.equal(promptIdFromLink(`keyhold://request/${id}`), id);
    assert.equal(promptIdFromLink(`keyhold://request/${id}/`), id);
    assert.equal(promptIdFromLink(`KEYHOLD://request/${id}`), id);
  });

  it('takes the bridge request id an MCP server puts in its link (base64url, may hold _ and -)', () => {
    assert.equal(promptIdFromLink('keyhold://request/q_Z-3kX9aB_7cD0eF1gH2w'), 'q_Z-3kX9aB_7cD0eF1gH2w');
  });

  it('ignores anything else', () => {
    for (const raw of [
      'keyhold://request/',
      'keyhold://approve/abc',
      `https://request/${id}`,
      'keyhold://request/a/b',
      'keyhold://request/..%2f..%2fetc',
      `keyhold://request/${'x'.repeat(65)}`,
      'not a url',
    ]) {
      assert.equal(promptIdFromLink(raw), undefined, raw);
    }
  });

  it('finds the link among a second instance argv (Windows/Linux)', () => {
    assert.equal(promptIdFromArgv(['/opt/Keyhold/keyhold', '--no-sandbox', `keyhold://request/${id}`]), id);
    assert.equal(promptIdFromArgv(['/opt/Keyhold/keyhold', '--original-process-start-time=1']), undefined);
    assert.equal(promptIdFromArgv(['keyhold://nope', `keyhold://request/${id}`]), id);
  });
});
