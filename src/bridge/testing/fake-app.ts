/**
 * `FakeKeyholdApp`: the real Keyhold core in-process, for unit tests of MCP
 * servers. It is the app's core (bridge server, broker, vault, grants,
 * activity log, use cases) with two things simulated:
 *
 * - the keychain is in memory (MemoryKeychain; the native keyring module is
 *   never loaded), and the data directory is a fresh temp dir, removed by
 *   `stop()`;
 * - the user is a queue of scripted decisions (`decide(...)`), a fallback
 *   policy (`onPrompt`), or a test answering an open prompt by hand
 *   (`(await app.nextPrompt()).answer('allow')`). Every window "shown" is
 *   recorded in `prompts`, with its verification code.
 *
 * Every request type the app knows is answered as the app answers it,
 * because it is the app's code; test/integration/bridge-contract.test.ts runs
 * one suite against this and a real `keyhold serve`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ENV_BRIDGE_TOKEN, ENV_BRIDGE_URL, type RequestParams, type RequestType } from '../../shared/bridge-protocol.js';
import { keychainService } from '../../main/core/keychain.js';
import { startCore, type KeyholdCore } from '../../main/core/keyhold-core.js';
import { MemoryKeychain } from '../../main/core/memory-keychain.js';
import { MANAGER, TRAY, type ClientSession } from '../../main/core/secret-changes.js';
import { FakeStore } from './fake-store.js';
import type { FakeCall, FakeDecision, FakeKeyholdAppOptions, FakePrompt } from './fake-types.js';
import { ScriptedUser } from './scripted-user.js';

export class FakeKeyholdApp {
  /** Every window shown, oldest first. */
  readonly prompts: FakePrompt[] = [];
  /** Every request received after `hello`, oldest first (never with values). */
  readonly calls: FakeCall[] = [];
  /** The in-memory keychain and grants. Read or change it to set up a test. */
  readonly store: FakeStore;  private readonly user: ScriptedUser;
  private core: KeyholdCore | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly home: string,
    options: FakeKeyholdAppOptions,
  ) {
    this.user = new ScriptedUser(this.prompts, options);
    this.store = new FakeStore({
      value: (server, name) => this.keychain.peek(keychainService(server), name),
      names: (server) => this.started.vault.list(server).map((secret) => secret.name),
      rejection: (server, name) => {
        const invalidated = this.started.vault.meta(server, name)?.invalidated;
        return invalidated === undefined ? undefined : { reason: invalidated.reason };
      },
      grants: () => this.started.grants.list().map((g) => ({ connection: g.sessionId, server: g.server, names: [...g.names] })),
      set: async (server, values) => void (await this.started.changes.store(server, values, MANAGER)),
      delete: async (server, name) => (await this.started.changes.delete(server, [name], MANAGER)).deleted.length > 0,
      revokeAll: () => this.started.changes.revokeAll(TRAY),
    });
  }

  private readonly keychain = new MemoryKeychain();

  /** Starts the core on 127.0.0.1 (a free port) with a fresh token, an empty temp data dir and the seeded secrets. */
  static async start(options: FakeKeyholdAppOptions = {}): Promise<FakeKeyholdApp> {
    const home = await mkdtemp(join(tmpdir(), 'keyhold-fake-app-'));
    const app = new FakeKeyholdApp(home, options);
    try {
      app.core = await startCore({
        dataDir: home,
        prompter: app.user,
        appVersion: options.appVersion ?? 'fake',
        keychain: app.keychain,
        writeDiscoveryFile: false,
        onRequest: (session, type, params) => app.calls.push(callOf(session, type, params)),
      });
      for (const [server, values] of Object.entries(options.secrets ?? {})) await app.core.changes.store(server, values, MANAGER);
    } catch (error) {
      await app.stop();
      throw error;
    }
    return app;
  }

  get url(): string {
    return this.started.url;
  }

  get token(): string {
    return this.started.token;
  }

  /** `{ url, token }`: spread into `KeyholdClient` or `KeyholdMcp` options. */
  get connection(): { readonly url: string; readonly token: string } {
    return { url: this.url, token: this.token };
  }

  /** `KEYHOLD_BRIDGE_URL` and `KEYHOLD_BRIDGE_TOKEN`, for an MCP server started as a child process. */
  get env(): Record<string, string> {
    return { [ENV_BRIDGE_URL]: this.url, [ENV_BRIDGE_TOKEN]: this.token };
  }

  /** Queues decisions for the next windows, one per window, in order. */
  decide(...decisions: FakeDecision[]): this {
    this.user.decide(decisions);
    return this;
  }

  /** The next window shown after the `since`-th (default: after those shown so far). */
  nextPrompt(since = this.prompts.length): Promise<FakePrompt> {
    return this.user.next(since);
  }

  /** Servers connected now (after `hello`). */
  sessions(): Array<{ server: string; pid: number }> {
    return this.started.sessions().map((session) => ({ server: session.server, pid: session.process.pid }));
  }

  /** Closes every open window (`cancelled`) and connection, stops listening, removes the temp data dir. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.core?.stop();
      await rm(this.home, { recursive: true, force: true });
    })();
    return this.stopping;
  }

  private get started(): KeyholdCore {
    if (this.core === undefined) throw new Error('FakeKeyholdApp is not started: use `await FakeKeyholdApp.start()`.');
    return this.core;
  }
}

/** What a test sees of a request: its type, server, names, reason and tool — never values. */
function callOf<T extends Exclude<RequestType, 'hello'>>(session: ClientSession, type: T, params: RequestParams<T>): FakeCall {
  const p = params as { names?: string[]; fields?: Array<{ name: string }>; values?: Record<string, string>; reason?: string; tool?: string };
  const names = p.names ?? p.fields?.map((field) => field.name) ?? (p.values === undefined ? undefined : Object.keys(p.values));
  const call: FakeCall = { type, server: session.server, names, reason: p.reason, tool: p.tool };
  // A published record that tests compare whole: fields the request did not have are absent, not undefined.
  return Object.fromEntries(Object.entries(call).filter(([, value]) => value !== undefined)) as unknown as FakeCall;
}
