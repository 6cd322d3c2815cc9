/**
 * `GET /request/<id>` on the bridge port (request-link-route.ts), against the
 * real core: the link a URL-mode MCP client opens brings the window to the
 * front without the bridge token, and reveals nothing — no secret, no code,
 * no token, no names — in any byte of any answer; Host is checked as for the
 * WebSocket; unknown ids 404, ended ones 410; other methods and paths are
 * refused; a token bucket limits how fast anyone can probe ids.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';

import { KeyholdClient } from '../../src/bridge/index.js';
import { startCore, type KeyholdCore } from '../../src/main/core/keyhold-core.js';
import { ScriptedPrompter } from '../helpers/scripted-prompter.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const SECRET = `sk-link-${process.pid}-canary-value`;

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function http(port: number, path: string, options: { method?: string; host?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { Host: options.host ?? `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('request links: GET /request/<id> on the bridge port', () => {
  let core: KeyholdCore;
  let prompter: ScriptedPrompter;
  let client: KeyholdClient;
  let port: number;
  let cleanup: () => Promise<void>;
  let link = '';
  let code = '';
  let pending: Promise<unknown>;
  const answers: Answer[] = [];

  before(async () => {
    const dir = await makeTempDir('keyhold-link-');
    cleanup = dir.cleanup;
    prompter = new ScriptedPrompter();
    core = await startCore({ dataDir: dir.path, prompter, appVersion: 'link-test', writeDiscoveryFile: false });
    await core.vault.put('linkdemo', { API_TOKEN: SECRET });
    port = Number(new URL(core.url).port);
    client = new KeyholdClient({ server: { name: 'linkdemo' }, url: core.url, token: core.token });
    let opened!: () => void;
    const windowOpen = new Promise<void>((resolve) => (opened = resolve));
    pending = client
      .get(['API_TOKEN'], {
        reason: 'read the canary',
        onPending: (event) => {
          link = event.link ?? '';
          code = event.verificationCode;
          opened();
        },
      })
      .catch(() => undefined);
    await windowOpen;
  });

  after(async () => {
    await core.vault.remove('linkdemo', 'API_TOKEN').catch(() => undefined);
    await client.close();
    await core.stop();
    await cleanup();
    await pending;
  });

  async function get(path: string, options?: Parameters<typeof http>[2]): Promise<Answer> {
    const answer = await http(port, path, options);
    answers.push(answer);
    return answer;
  }

  it('the pending event carries a 128-bit link id: the app\'s own prompt id', () => {
    assert.match(link, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(Buffer.from(link, 'base64url').length, 16);
    assert.equal(prompter.shown.at(-1)?.prompt.id, link);
  });

  it('request_link_needs_no_token: a GET without the token focuses the window and says so', async () => {
    const answer = await get(`/request/${link}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(prompter.focused, [link]);
    assert.match(answer.body, /brought the window of this request to the front/);
    assert.match(String(answer.headers['content-security-policy']), /default-src 'none'/);
    assert.equal(answer.headers['cache-control'], 'no-store');
    assert.equal(answer.headers['x-frame-options'], 'DENY');
    assert.equal(Object.keys(answer.headers).filter((h) => h.startsWith('access-control-')).length, 0, 'no CORS headers');
    const head = await get(`/request/${link}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
  });

  it('request_link_dns_rebinding: a foreign Host → 403 and no focus', async () => {
    const before = prompter.focused.length;
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`]) {
      assert.equal((await get(`/request/${link}`, { host })).status, 403, host);
    }
    assert.equal(prompter.focused.length, before);
  });

  it('unknown and malformed ids → 404; other methods → 405; other paths are not links', async () => {
    assert.equal((await get(`/request/${'A'.repeat(22)}`)).status, 404);
    assert.equal((await get('/request/not%20valid%3Cscript%3E')).status, 404);
    assert.equal((await get('/request/')).status, 404);
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) assert.equal((await get(`/request/${link}`, { method })).status, 405, method);
    assert.equal((await get('/')).status, 426);
    assert.equal((await get('/requests/x')).status, 426);
  });

  it('request_link_reveals_nothing: no secret, code, token, server or secret name in any answer byte', () => {
    assert.ok(answers.length >= 10);
    for (const answer of answers) {
      const bytes = JSON.stringify(answer);
      for (const hidden of [SECRET, code, core.token, 'linkdemo', 'API_TOKEN', 'read the canary']) {
        assert.ok(!bytes.includes(hidden), `an answer revealed ${hidden === SECRET ? 'the secret' : hidden === core.token ? 'the token' : hidden}`);
      }
    }
  });

  it('the WebSocket checks are unchanged: an upgrade to a link path is refused', async () => {
    const answer = await http(port, `/request/${link}`, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', Authorization: `Bearer ${core.token}` },
    });
    assert.equal(answer.status, 404);
  });

  it('an ended request → 410 (no focus)', async () => {
    const before = prompter.focused.length;
    await client.cancel(prompter.shown.at(-1)?.prompt.requestId ?? '');
    await pending;
    assert.equal((await get(`/request/${link}`)).status, 410);
    assert.equal(prompter.focused.length, before);
  });

  it('request_link_id_guessing: a burst of link requests is rate limited (429)', async () => {
    const statuses = await Promise.all(Array.from({ length: 60 }, () => http(port, `/request/${'B'.repeat(22)}`).then((a) => a.status)));
    assert.ok(statuses.includes(429), `statuses: ${[...new Set(statuses)].join(',')}`);
    assert.ok(statuses.filter((s) => s === 404).length <= 25, 'at most the burst is answered');
  });
});
