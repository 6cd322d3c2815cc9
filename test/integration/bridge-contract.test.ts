/**
 * One contract, two apps: the same suite of bridge requests runs against
 * `FakeKeyholdApp` (@keyhold/bridge/testing) and a real `keyhold serve` in a
 * terminal (tmux, real keychain), so the published test kit cannot drift
 * from the app again. It covers every request type of protocol v1 at the
 * wire level (a raw client), with the user answering each window: by a
 * scripted answer in the fake, by keys typed into serve's terminal.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { FakeKeyholdApp } from '../../src/bridge/testing/index.js';
import { requestSchemas } from '../../src/shared/bridge-protocol.js';
import { RawBridgeClient, type RawFrame } from '../helpers/raw-bridge-client.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { AFTER_PROMPT_MS, TmuxServe, tmuxMissing } from '../helpers/tmux-serve.js';

type Answer = 'allow' | 'allow_session' | 'deny' | { readonly save: string };

/** An app under contract: where to connect, and how the user answers the window a pending event announced. */
interface ContractApp {
  readonly url: string;
  readonly token: string;
  answer(pending: RawFrame, answer: Answer, field?: string): Promise<void>;
  stop(): Promise<void>;
}

async function fakeApp(): Promise<ContractApp> {
  const app = await FakeKeyholdApp.start();
  return {
    ...app.connection,
    answer: async (pending, answer) => {
      const code = pending.data?.['verificationCode'];
      const prompt = app.prompts.find((p) => p.verificationCode === code) ?? (await app.nextPrompt());
      assert.equal(prompt.verificationCode, code, 'the window shows the code of the pending event');
      const name = prompt.names[0] ?? '';
      assert.ok(prompt.answer(typeof answer === 'string' ? answer : { save: { [name]: answer.save } }));
    },
    stop: () => app.stop(),
  };
}

async function serveApp(): Promise<ContractApp> {
  const home = await makeTempDir('keyhold-contract-');
  const serve = await TmuxServe.start(home.path);
  return {
    url: serve.discovery.url,
    token: serve.discovery.token,
    answer: async (pending, answer, field) => {
      await serve.waitForScreen(String(pending.data?.['verificationCode']));
      await serve.waitForScreen(typeof answer === 'string' ? 'Your answer: ' : `${field}: `);
      await sleep(AFTER_PROMPT_MS);
      if (typeof answer === 'string') serve.keys({ allow: 'a', allow_session: 's', deny: 'd' }[answer], true);
      else {
        serve.keys(answer.save, true);
        serve.keys('Enter');
      }
    },
    stop: async () => {
      serve.stop();
      await home.cleanup();
    },
  };
}

const TARGETS: ReadonlyArray<readonly [string, () => Promise<ContractApp>, boolean]> = [
  ['FakeKeyholdApp', fakeApp, false],
  ['keyhold serve', serveApp, tmuxMissing],
];

for (const [name, start, skip] of TARGETS) {
  describe(`bridge contract: ${name}`, { skip: skip ? 'tmux is not installed' : false }, () => {
    const server = `contract-${randomBytes(4).toString('hex')}`;
    const covered = new Set<string>();
    let app: ContractApp;
    let client: RawBridgeClient;
    const call = async (type: string, params: unknown): Promise<RawFrame> => {
      covered.add(type);
      return client.call(type, params);
    };
    /** A request that opens a window: the pending event, the user's answer, then the reply. */
    const answered = async (type: string, params: unknown, answer: Answer, field?: string): Promise<RawFrame> => {
      covered.add(type);
      const id = client.send(type, params);
      const pending = await client.pending(id);
      await app.answer(pending, answer, field);
      return client.reply(id);
    };

    before(async () => {
      app = await start();
      client = await RawBridgeClient.connect(app.url, app.token);
    });
    after(async () => {
      client?.close();
      await app?.stop();
    });

    it('hello opens a session; a second hello is refused', async () => {
      const hello = await call('hello', { protocol: 1, server: { name: server, version: '1.0.0' }, process: { pid: process.pid } });
      assert.equal(hello.ok, true, JSON.stringify(hello.error));
      assert.equal(hello.result?.['protocol'], 1);
      assert.equal(typeof hello.result?.['sessionId'], 'string');
      const again = await call('hello', { protocol: 1, server: { name: server }, process: { pid: process.pid } });
      assert.equal(again.error?.code, 'invalid_request');
    });

    it('secrets.status says what exists, without a window', async () => {
      const status = await call('secrets.status', { names: ['API_KEY'] });
      assert.deepEqual(status.result, { secrets: [{ name: 'API_KEY', exists: false, invalidated: false }] });
    });

    it('secrets.put stores after an approval that says "store"', async () => {
      const put = await answered('secrets.put', { values: { API_KEY: 'v1' } }, 'allow');
      assert.deepEqual(put.result, { created: ['API_KEY'], replaced: [] });
    });

    it('secrets.list names the stored secrets, never values', async () => {
      const list = await call('secrets.list', {});
      const servers = list.result?.['servers'] as Array<{ name: string; secrets: unknown }>;
      assert.deepEqual(servers.find((s) => s.name === server), { name: server, secrets: [{ name: 'API_KEY', invalidated: false }] });
      assert.ok(!JSON.stringify(list).includes('v1'));
    });

    it('secrets.get: approval, Allow for session, then no window', async () => {
      const first = await answered('secrets.get', { names: ['API_KEY'] }, 'allow_session');
      assert.deepEqual(first.result, { values: { API_KEY: 'v1' } });
      const second = await call('secrets.get', { names: ['API_KEY'] });
      assert.deepEqual(second.result, { values: { API_KEY: 'v1' } });
    });

    it('secrets.invalidate: the next get asks for a new value in the entry window', async () => {
      assert.deepEqual((await call('secrets.invalidate', { names: ['API_KEY'], reason: 'HTTP 401' })).result, {});
      const status = await call('secrets.status', { names: ['API_KEY'] });
      assert.deepEqual(status.result, { secrets: [{ name: 'API_KEY', exists: true, invalidated: true }] });
      const get = await answered('secrets.get', { names: ['API_KEY'] }, { save: 'v2' }, 'API_KEY');
      assert.deepEqual(get.result, { values: { API_KEY: 'v2' } });
    });

    it('secrets.request opens the entry window with the fields asked for', async () => {
      const fields = [{ name: 'OTHER', label: 'Other key', type: 'password', required: true }];
      const request = await answered('secrets.request', { fields }, { save: 'o1' }, 'OTHER');
      assert.deepEqual(request.result, { values: { OTHER: 'o1' } });
    });

    it('rules.*: list and candidates without a window; add and remove only after an approval', async () => {
      assert.deepEqual((await call('rules.list', {})).result, { rules: [] });
      const candidates = (await call('rules.candidates', { name: 'API_KEY' })).result?.['candidates'] as Array<{ key: string; source: string }>;
      // The app verified this process (Linux /proc) when it read API_KEY above: it is the last reader.
      const key = candidates.find((c) => c.source === 'last_reader')?.key;
      assert.ok(key !== undefined, JSON.stringify(candidates));
      const added = await answered('rules.add', { name: 'API_KEY', candidate: key }, 'allow');
      const rule = added.result?.['rule'] as { id: string; identity?: { executable: string } } | undefined;
      assert.equal(typeof rule?.identity?.executable, 'string', JSON.stringify(added.error));
      assert.equal(((await call('rules.list', {})).result?.['rules'] as unknown[]).length, 1);
      assert.equal((await answered('rules.remove', { name: 'API_KEY' }, 'deny')).error?.code, 'denied');
      assert.deepEqual((await answered('rules.remove', { name: 'API_KEY' }, 'allow')).result, { removed: [rule?.id] });
      assert.equal((await call('rules.add', { name: 'API_KEY', candidate: 'made-up' })).error?.code, 'not_found', 'no window for a process the app does not know');
    });

    it('secrets.get denied → denied', async () => {
      const denied = await answered('secrets.get', { names: ['OTHER'] }, 'deny');
      assert.equal(denied.error?.code, 'denied');
    });

    it('cancel closes the window of a request in flight → cancelled', async () => {
      const id = client.send('secrets.get', { names: ['OTHER'] });
      await client.pending(id);
      assert.deepEqual((await call('cancel', { id })).result, {});
      assert.equal((await client.reply(id)).error?.code, 'cancelled');
    });

    it('secrets.delete deletes after an approval that says "delete"; a name not stored is not_found, without a window', async () => {
      const deleted = await answered('secrets.delete', { names: ['API_KEY', 'OTHER'] }, 'allow');
      assert.deepEqual(deleted.result, { deleted: ['API_KEY', 'OTHER'] });
      assert.equal((await call('secrets.delete', { names: ['API_KEY'] })).error?.code, 'not_found');
      const status = await call('secrets.status', { names: ['API_KEY'] });
      assert.deepEqual(status.result, { secrets: [{ name: 'API_KEY', exists: false, invalidated: false }] });
    });

    it('an unknown type is invalid_request and the connection stays usable', async () => {
      assert.equal((await client.call('secrets.steal', {})).error?.code, 'invalid_request');
      assert.equal((await call('secrets.status', {})).ok, true);
    });

    it('covers every request type of the protocol', () => {
      assert.deepEqual([...covered].sort(), Object.keys(requestSchemas).sort());
    });
  });
}
