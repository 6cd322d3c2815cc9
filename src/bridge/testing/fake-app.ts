/**
 * `FakeKeyholdApp`: an in-process stand-in for the Keyhold app, for unit tests
 * of MCP servers. It speaks the real bridge protocol v1 over a loopback
 * WebSocket (every frame parsed with the schemas the app uses), so the code
 * under test runs the real `KeyholdClient` unchanged; only the user and the
 * keychain are simulated:
 *
 * - the keychain is a `FakeStore` in memory, seeded from `options.secrets`;
 * - the user is a queue of scripted decisions (`decide(...)`), a fallback
 *   policy (`onPrompt`), or a test answering an open prompt by hand
 *   (`(await app.nextPrompt()).answer('allow')`);
 * - every window "shown" is recorded in `prompts`, with its verification code,
 *   so a test can check what the MCP client was told.
 *
 * Semantics follow the app: missing or rejected names open the entry window
 * (values checked against their FieldSpec), stored names not covered by a
 * session grant open the approval window, one window at a time per server,
 * timeouts count from arrival, `cancel` and disconnects close windows, and a
 * pending event goes out as each window opens.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import { WebSocketServer, type WebSocket } from 'ws';

import { ENV_BRIDGE_TOKEN, ENV_BRIDGE_URL, MAX_FRAME_BYTES, type FieldSpec, type RequestParams, type SecretName } from '../../shared/bridge-protocol.js';
import { validateEntry } from '../../shared/field-validation.js';
import { KeyholdError } from '../../shared/keyhold-error.js';
import { FakeConnection } from './fake-connection.js';
import { FakePromptQueue } from './fake-prompt-queue.js';
import { FakeStore } from './fake-store.js';
import type { CallContext, FakeCall, FakeDecision, FakeKeyholdAppOptions, FakePrompt, PromptParams, Session } from './fake-types.js';

export class FakeKeyholdApp {
  /** Every window shown, oldest first. */
  readonly prompts: FakePrompt[] = [];
  /** Every request received after `hello`, oldest first. */
  readonly calls: FakeCall[] = [];
  /** The in-memory keychain. Read or change it directly to set up a test. */
  readonly store: FakeStore;
  private readonly windows: FakePromptQueue;
  private readonly connections = new Set<FakeConnection>();
  private readonly shutdown = new AbortController();
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly wss: WebSocketServer,
    readonly url: string,
    readonly token: string,
    private readonly options: FakeKeyholdAppOptions,
  ) {
    this.store = new FakeStore(options.secrets);
    this.windows = new FakePromptQueue(this.prompts, options);
  }

  /** Starts listening on 127.0.0.1 (a free port) with a fresh token. */
  static async start(options: FakeKeyholdAppOptions = {}): Promise<FakeKeyholdApp> {
    const token = randomBytes(32).toString('base64url');
    const expected = digest(token);
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      verifyClient: ({ req }, done) => {
        if (req.headers.origin !== undefined) return done(false, 403, 'Browsers may not connect to the Keyhold bridge.');
        const presented = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (presented === undefined || !timingSafeEqual(digest(presented), expected)) return done(false, 401, 'A valid bridge token is required.');
        done(true);
      },
    });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    const { port } = wss.address() as AddressInfo;
    const app = new FakeKeyholdApp(wss, `ws://127.0.0.1:${port}`, token, options);
    wss.on('connection', (socket) => app.accept(socket));
    return app;
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
    this.windows.decide(decisions);
    return this;
  }

  /** The next window shown after the `since`-th (default: after those shown so far). */
  nextPrompt(since = this.prompts.length): Promise<FakePrompt> {
    return this.windows.next(since);
  }

  /** Servers connected now (after `hello`). */
  sessions(): Array<{ server: string; pid: number }> {
    return [...this.connections].flatMap((c) => (c.session === undefined ? [] : [{ ...c.session }]));
  }

  /** Closes every open window (`cancelled`) and connection, and stops listening. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.shutdown.abort(new KeyholdError('cancelled', 'Keyhold is shutting down.'));
      await Promise.allSettled([...this.connections].map((c) => c.drain()));
      for (const socket of this.wss.clients) socket.close(1001, 'Keyhold is shutting down');
      await new Promise<void>((resolve) => this.wss.close(() => resolve()));
      for (const socket of this.wss.clients) socket.terminate();
    })();
    return this.stopping;
  }

  private accept(socket: WebSocket): void {
    const connection = new FakeConnection(socket, this);
    this.connections.add(connection);
    socket.once('close', () => {
      this.connections.delete(connection);
      this.store.endSession(connection.id);
    });
  }

  // The request semantics, called by each connection (fake-connection.ts).

  /** `secrets.get`: entry for missing or rejected names, approval for the rest unless granted, then the values. */
  async get(connection: FakeConnection, session: Session, params: RequestParams<'secrets.get'>, call: CallContext): Promise<Record<string, string>> {
    const { store } = this;
    const missing = params.names.filter((name) => !store.has(session.server, name) || store.rejection(session.server, name) !== undefined);
    const entered = missing.length > 0 ? await this.collect(session, fieldsFor(missing, params.fields), params, call) : {};
    const stored = params.names.filter((name) => !missing.includes(name));
    if (stored.length > 0 && !store.covers(connection.id, session.server, stored)) {
      const decision = await this.windows.show({ kind: 'approval', session, names: stored, fields: [], params, call });
      if (decision === 'deny') throw new KeyholdError('denied', `The user denied "${session.server}" access to ${stored.join(', ')}.`);
      if (decision === 'allow_session') store.grant(connection.id, session.server, stored);
    }
    const values: Record<string, string> = { ...entered };
    for (const name of stored) {
      const value = store.get(session.server, name);
      if (value === undefined) throw new KeyholdError('not_found', `The keychain no longer holds "${name}" for "${session.server}".`);
      values[name] = value;
    }
    return values;
  }

  /** The entry window: checks the saved values against the fields, stores the non-empty ones. */
  async collect(
    session: Session,
    fields: readonly FieldSpec[],
    params: PromptParams,
    call: CallContext,
  ): Promise<Record<string, string>> {
    const names = fields.map((field) => field.name);
    const rejectedNames = names.filter((name) => this.store.rejection(session.server, name) !== undefined);
    const reason = rejectedNames.map((name) => this.store.rejection(session.server, name)?.reason).find((r) => r !== undefined);
    const rejected = rejectedNames.length === 0 ? undefined : { names: rejectedNames, ...(reason === undefined ? {} : { reason }) };
    const decision = await this.windows.show({ kind: 'entry', session, names, fields, params, call, rejected });
    if (typeof decision === 'string') throw new KeyholdError('unavailable', `FakeKeyholdApp: "${decision}" does not answer an entry window; decide { save: { ... } } or 'cancel'.`);
    const values: Record<string, string> = {};
    for (const field of fields) values[field.name] = decision.save[field.name] ?? field.default ?? '';
    const problems = validateEntry(fields, values);
    if (Object.keys(problems).length > 0) {
      throw new KeyholdError('invalid_request', `The entry window returned invalid values: ${Object.values(problems).join(' ')}`);
    }
    const saved = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ''));
    for (const [name, value] of Object.entries(saved)) this.store.set(session.server, name, value);
    return saved;
  }

  record(call: FakeCall): void {
    this.calls.push(call);
  }

  get appVersion(): string {
    return this.options.appVersion ?? 'fake';
  }

  get shutdownSignal(): AbortSignal {
    return this.shutdown.signal;
  }
}

function fieldsFor(missing: readonly SecretName[], specs: readonly FieldSpec[] | undefined): FieldSpec[] {
  return missing.map((name) => specs?.find((spec) => spec.name === name) ?? { name, label: name, type: 'password', required: true });
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
