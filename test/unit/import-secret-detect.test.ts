import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { looksRandom, nameLooksSecret, secretReason, urlHoldsSecret } from '../../src/main/cli/import/secret-detect.js';

describe('secret detection for keyhold import', () => {
  it('names: secret words as whole words, not inside others', () => {
    for (const name of ['API_KEY', 'GITHUB_PERSONAL_ACCESS_TOKEN', 'DB_PASSWORD', 'CLIENT_SECRET', 'GITLAB_PAT', 'apiKey', 'OPENAI_APIKEY', 'x-api-key', 'AWS_SECRET_ACCESS_KEY']) {
      assert.ok(nameLooksSecret(name), name);
    }
    for (const name of ['PATH', 'MONKEY', 'TOKENIZER_MODEL', 'LOG_LEVEL', 'HOME', 'AWS_ACCESS_KEY_ID', 'SSH_PUBLIC_KEY', 'GOOGLE_APPLICATION_CREDENTIALS_FILE', 'KEY_FILE']) {
      assert.ok(!nameLooksSecret(name), name);
    }
  });

  it('known prefixes win whatever the name', () => {
    assert.equal(secretReason('WHATEVER', 'ghp_0123456789abcdefABCDEF'), 'prefix');
    assert.equal(secretReason(undefined, 'AKIAIOSFODNN7EXAMPLE'), 'prefix');
    assert.equal(secretReason(undefined, 'xoxb-1234-5678-abcdefgh'), 'prefix');
    assert.equal(secretReason(undefined, 'sk-'), undefined, 'a bare prefix is not a key');
  });

  it('references, empty values, numbers and booleans are never secrets, whatever the name', () => {
    for (const value of ['keyhold://github/token', '${input:github-token}', '${env:GITHUB_TOKEN}', '$GITHUB_TOKEN', '', '  ', 'true', '8080']) {
      assert.equal(secretReason('GITHUB_TOKEN', value), undefined, value);
    }
  });

  it('random-looking values are found by entropy; paths, URLs and words are not', () => {
    assert.equal(secretReason('UPSTREAM', 'q8Zt3LmR7vXw2KpN9sYc4HdF'), 'entropy');
    assert.ok(!looksRandom('/usr/local/share/some/long/path/file.json'));
    assert.ok(!looksRandom('https://api.example.com/v1/endpoint'));
    assert.ok(!looksRandom('aaaaaaaaaaaaaaaaaaaaaaaaaaaa'));
    assert.ok(!looksRandom('shortAbc123'));
  });

  it('URLs with a password or a secret query parameter', () => {
    assert.ok(urlHoldsSecret('postgres://user:pw@localhost/db'));
    assert.ok(urlHoldsSecret('https://mcp.example.com/mcp?api_key=abc'));
    assert.ok(!urlHoldsSecret('https://mcp.example.com/mcp?page=2'));
    assert.ok(!urlHoldsSecret('not a url'));
  });
});
