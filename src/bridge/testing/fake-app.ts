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
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import { WebSocketServer, type RawData, type WebSocket } from 'ws';

import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  ENV_BRIDGE_TOKEN,
  ENV_BRIDGE_URL,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  describeIssues,
  requestEnvelopeSchema,
  requestSchemas,
  type FieldSpec,
  type RequestParams,
  type RequestType,
  type SecretName,
} from '../../shared/bridge-protocol.js';
import { validateEntry } from '../../shared/field-validation.js';
import { KeyholdError, isKeyholdError } from '../../shared/keyhold-error.js';
import { FakeStore } from './fake-store.js';

/** What the simulated user does with a window. */
export type FakeDecision =
  /** Approval window: Allow (this request only). */
  | 'allow'
  /** Approval window: Allow for session (until this MCP server disconnects). */
  | 'allow_session'
  /** Approval window: Deny → the request fails with `denied`. */
  | 'deny'
  /** Either window closed without an answer (entry Cancel) → `cancelled`. */
  | 'cancel'
  /** Nobody answers: the request fails with `timeout` at once, without waiting out the timeout. */
  | 'timeout'
  /** Leave the window open: answer it later with `prompt.answer(...)`, or let it time out or be cancelled. */
  | 'hold'
  /** Entry window: Save with these values (checked against the FieldSpecs, like the app does). */
  | { readonly save: Readonly<Record<string, string>> };

export type FakePromptOutcome = 'open' | 'allow' | 'allow_session' | 'deny' | 'save' | 'cancel' | 'timeout' | 'aborted';

/** A window the fake app showed. */
export interface FakePrompt {
  /** The bridge request id: the `id` of the pending event (what `keyhold://request/<id>` names). */
  readonly requestId: string;
  readonly kind: 'entry' | 'approval';
  readonly server: string;
  /** The pid the MCP server gave in `hello`. */
  readonly pid: number;
  /** Approval: the names asked for. Entry: the field names. */
  readonly names: readonly SecretName[];
  /** Entry window fields ([] for approval). */
  readonly fields: readonly FieldSpec[];
  readonly guide?: string;
  readonly reason?: string;
  readonly tool?: string;
  /** Entry window: stored values the MCP server reported as rejected, with its reason. */
  readonly rejected?: { readonly names: readonly SecretName[]; readonly reason?: string };
  /** `XXXX-XXXX`, as sent in the pending event. */
  readonly verificationCode: string;
  readonly expiresAt: number;
  /** How the window ended: the decision given, `timeout`, or `aborted` (the MCP server cancelled or disconnected, or the app stopped). */
  readonly outcome: FakePromptOutcome;
  /** Answers the window if it is still open; false if it had already closed. */
  answer(decision: Exclude<FakeDecision, 'hold'>): boolean;
}

/** One request the fake app received (never with values). */
export interface FakeCall {
  readonly type: Exclude<RequestType, 'hello'>;
  readonly server: string;
  readonly names?: readonly SecretName[];
  readonly reason?: string;
  readonly tool?: string;
}

export interface FakeKeyholdAppOptions {
  /** Values already "in the keychain": `{ [server]: { [name]: value } }`. */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Decisions for the next windows, in order (same as calling `decide`). */
  readonly decisions?: readonly FakeDecision[];
  /** Decides windows the queue has no answer for; return undefined to leave the window open ('hold'). */
  readonly onPrompt?: (prompt: FakePrompt) => FakeDecision | undefined;
  /** Reported in `hello` (default `fake`). */
  readonly appVersion?: string;
}

interface Session {
  readonly server: string;
  readonly pid: number;
}

export class FakeKeyholdApp {
  /** Every window shown, oldest first. */
  readonly prompts: FakePrompt[] = [];
  /** Every request received after `hello`, oldest first. */
  readonly calls: FakeCall[] = [];
  /** The in-memory keychain. Read or change it directly to set up a test. */
  readonly store: FakeStore;
  private readonly script: FakeDecision[];
  private readonly waiters: Array<{ since: number; resolve: (prompt: FakePrompt) => void }> = [];
  private readonly connections = new Set<FakeConnection>();
  private readonly turns = new Map<string, Promise<void>>();
  private readonly shutdown = new AbortController();
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly wss: WebSocketServer,
    readonly url: string,
    readonly token: string,
    private readonly options: FakeKeyholdAppOptions,
  ) {
    this.store = new FakeStore(options.secrets);
    this.script = [...(options.decisions ?? [])];
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
    this.script.push(...decisions);
    return this;
  }

  /** The next window shown after the `since`-th (default: after those shown so far). */
  nextPrompt(since = this.prompts.length): Promise<FakePrompt> {
    const shown = this.prompts[since];
    if (shown !== undefined) return Promise.resolve(shown);
    return new Promise((resolve) => this.waiters.push({ since, resolve }));
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

  /** `secrets.get`: entry for missing or rejected names, approval for the rest unless granted, then the values. */
  async get(connection: FakeConnection, session: Session, params: RequestParams<'secrets.get'>, call: CallContext): Promise<Record<string, string>> {
    const { store } = this;
    const missing = params.names.filter((name) => !store.has(session.server, name) || store.rejection(session.server, name) !== undefined);
    const entered = missing.length > 0 ? await this.collect(session, fieldsFor(missing, params.fields), params, call) : {};
    const stored = params.names.filter((name) => !missing.includes(name));
    if (stored.length > 0 && !store.covers(connection.id, session.server, stored)) {
      const decision = await this.show({ kind: 'approval', session, names: stored, fields: [], params, call });
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
    const decision = await this.show({ kind: 'entry', session, names, fields, params, call, rejected });
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

  /** Shows one window (after the server's earlier ones), waits for its decision, records it. */
  private async show(window: WindowRequest): Promise<'allow' | 'allow_session' | 'deny' | { readonly save: Readonly<Record<string, string>> }> {
    const { session, call } = window;
    const signal = call.signal;
    const release = await this.waitForTurn(session.server, signal);
    try {
      const prompt = new PromptState(window, call.requestId, call.expiresAt);
      this.prompts.push(prompt);
      call.onOpen(prompt);
      for (const waiter of this.waiters.filter((w) => this.prompts.length > w.since)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(this.prompts[waiter.since] ?? prompt);
      }
      const scripted = this.script.shift() ?? this.options.onPrompt?.(prompt) ?? 'hold';
      if (scripted !== 'hold') setImmediate(() => prompt.answer(scripted));
      const decision = await prompt.decided(signal);
      if (decision === 'cancel') throw new KeyholdError('cancelled', `The user closed the Keyhold ${window.kind} window.`);
      if (decision === 'timeout') throw timeoutError(call.timeoutMs);
      const fits = window.kind === 'entry' ? typeof decision !== 'string' : typeof decision === 'string';
      if (!fits) {
        throw new KeyholdError('unavailable', `FakeKeyholdApp: the decision ${JSON.stringify(decision)} does not answer an ${window.kind} window.`);
      }
      return decision;
    } finally {
      release();
    }
  }

  /** One window at a time per server, first come first served; waiting counts towards the timeout. */
  private async waitForTurn(server: string, signal: AbortSignal): Promise<() => void> {
    const previous = this.turns.get(server) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => mine);
    this.turns.set(server, chained);
    void chained.then(() => {
      if (this.turns.get(server) === chained) this.turns.delete(server);
    });
    try {
      await raceAbort(previous, signal);
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }
}

interface PromptParams {
  readonly reason?: string | undefined;
  readonly tool?: string | undefined;
  readonly guide?: string | undefined;
}

interface CallContext {
  readonly requestId: string;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly expiresAt: number;
  readonly onOpen: (prompt: FakePrompt) => void;
}

interface WindowRequest {
  readonly kind: 'entry' | 'approval';
  readonly session: Session;
  readonly names: readonly SecretName[];
  readonly fields: readonly FieldSpec[];
  readonly params: PromptParams;
  readonly call: CallContext;
  readonly rejected?: { readonly names: readonly SecretName[]; readonly reason?: string } | undefined;
}

type Answer = Exclude<FakeDecision, 'hold'>;

class PromptState implements FakePrompt {
  readonly kind: 'entry' | 'approval';
  readonly server: string;
  readonly pid: number;
  readonly names: readonly SecretName[];
  readonly fields: readonly FieldSpec[];
  readonly guide?: string;
  readonly reason?: string;
  readonly tool?: string;
  readonly rejected?: { readonly names: readonly SecretName[]; readonly reason?: string };
  readonly verificationCode = newVerificationCode();
  outcome: FakePromptOutcome = 'open';
  private resolveAnswer: ((answer: Answer) => void) | undefined;
  private readonly answered: Promise<Answer>;

  constructor(
    window: WindowRequest,
    readonly requestId: string,
    readonly expiresAt: number,
  ) {
    this.kind = window.kind;
    this.server = window.session.server;
    this.pid = window.session.pid;
    this.names = window.names;
    this.fields = window.fields;
    if (window.kind === 'entry' && window.params.guide !== undefined) this.guide = window.params.guide;
    if (window.params.reason !== undefined) this.reason = window.params.reason;
    if (window.params.tool !== undefined) this.tool = window.params.tool;
    if (window.rejected !== undefined) this.rejected = window.rejected;
    this.answered = new Promise((resolve) => (this.resolveAnswer = resolve));
  }

  answer(decision: Answer): boolean {
    if (this.outcome !== 'open' || this.resolveAnswer === undefined) return false;
    this.outcome = typeof decision === 'string' ? decision : 'save';
    this.resolveAnswer(decision);
    this.resolveAnswer = undefined;
    return true;
  }

  /** The answer, or the abort reason (timeout, cancel, disconnect, shutdown) once the window is closed for good. */
  async decided(signal: AbortSignal): Promise<Answer> {
    try {
      return await raceAbort(this.answered, signal);
    } catch (error) {
      if (this.outcome === 'open') {
        this.outcome = isKeyholdError(error, 'timeout') ? 'timeout' : 'aborted';
        this.resolveAnswer = undefined;
      }
      throw error;
    }
  }
}

/** One WebSocket from an MCP server: hello first, then requests, each answered by id. */
class FakeConnection {
  readonly id = randomUUID();
  session: Session | undefined;
  private readonly inFlight = new Map<string, AbortController>();
  private readonly handling = new Set<Promise<void>>();

  constructor(
    private readonly socket: WebSocket,
    private readonly app: FakeKeyholdApp,
  ) {
    socket.on('message', (data, isBinary) => {
      const handled = this.receive(data, isBinary);
      this.handling.add(handled);
      void handled.finally(() => this.handling.delete(handled));
    });
    socket.on('close', () => {
      for (const controller of this.inFlight.values()) controller.abort(new KeyholdError('cancelled', 'The MCP server disconnected.'));
    });
    socket.on('error', () => socket.terminate());
  }

  /** Resolves once every frame received so far has been answered. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.handling]);
  }

  private async receive(data: RawData, isBinary: boolean): Promise<void> {
    let frame: unknown;
    try {
      if (isBinary) throw new Error('binary');
      frame = JSON.parse(rawText(data));
    } catch {
      this.replyError(null, new KeyholdError('invalid_request', 'Send JSON text frames.'));
      return;
    }
    const envelope = requestEnvelopeSchema.safeParse(frame);
    if (!envelope.success) {
      this.replyError(null, new KeyholdError('invalid_request', `Malformed request: ${describeIssues(envelope.error)}`));
      return;
    }
    const { id, type, params } = envelope.data;
    if (!Object.hasOwn(requestSchemas, type)) {
      this.replyError(id, new KeyholdError('invalid_request', `Unknown request type "${type.slice(0, 64)}".`));
      return;
    }
    const requestType = type as RequestType;
    const parsed = requestSchemas[requestType].safeParse(params ?? {});
    if (!parsed.success) {
      this.replyError(id, new KeyholdError('invalid_request', `Bad ${requestType} params: ${describeIssues(parsed.error)}`));
      return;
    }
    try {
      this.send({ id, ok: true, result: await this.dispatch(id, requestType, parsed.data) });
    } catch (error) {
      this.replyError(id, isKeyholdError(error) ? error : new KeyholdError('unavailable', 'FakeKeyholdApp failed to handle the request.'));
    }
  }

  private async dispatch(id: string, type: RequestType, params: unknown): Promise<object> {
    if (type === 'hello') {
      const hello = params as RequestParams<'hello'>;
      if (this.session !== undefined) throw new KeyholdError('invalid_request', 'hello was already sent on this connection.');
      this.session = { server: hello.server.name, pid: hello.process.pid };
      return { sessionId: this.id, appVersion: this.app.appVersion, protocol: PROTOCOL_VERSION };
    }
    const session = this.session;
    if (session === undefined) throw new KeyholdError('invalid_request', 'Send hello first.');
    const app = this.app;
    switch (type) {
      case 'secrets.get': {
        const get = params as RequestParams<'secrets.get'>;
        app.record({ type, server: session.server, names: get.names, ...optional(get.reason, get.tool) });
        return { values: await this.prompting(id, get.timeoutMs, (call) => app.get(this, session, get, call)) };
      }
      case 'secrets.request': {
        const request = params as RequestParams<'secrets.request'>;
        const names = request.fields.map((field) => field.name);
        app.record({ type, server: session.server, names, ...optional(request.reason, request.tool) });
        return { values: await this.prompting(id, request.timeoutMs, (call) => app.collect(session, request.fields, request, call)) };
      }
      case 'secrets.status': {
        const { names } = params as RequestParams<'secrets.status'>;
        app.record({ type, server: session.server, ...(names === undefined ? {} : { names }) });
        const asked = names ?? app.store.names(session.server);
        return {
          secrets: asked.map((name) => ({
            name,
            exists: app.store.has(session.server, name),
            invalidated: app.store.rejection(session.server, name) !== undefined,
          })),
        };
      }
      case 'secrets.invalidate': {
        const { names, reason } = params as RequestParams<'secrets.invalidate'>;
        app.record({ type, server: session.server, names, ...optional(reason, undefined) });
        app.store.reject(session.server, names, reason);
        return {};
      }
      case 'cancel': {
        const target = (params as RequestParams<'cancel'>).id;
        app.record({ type, server: session.server });
        this.inFlight.get(target)?.abort(new KeyholdError('cancelled', 'The MCP server cancelled the request.'));
        return {};
      }
      default:
        throw new KeyholdError('invalid_request', `Unknown request type "${String(type)}".`);
    }
  }

  /** Runs a request that may show windows: cancellable by id, timed from arrival, with a pending event per window. */
  private async prompting<T>(id: string, timeoutMs: number | undefined, work: (call: CallContext) => Promise<T>): Promise<T> {
    if (this.inFlight.has(id)) throw new KeyholdError('invalid_request', `Request id "${id}" is already in flight on this connection.`);
    const limit = timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(timeoutError(limit)), limit);
    const signal = AbortSignal.any([controller.signal, this.app.shutdownSignal]);
    this.inFlight.set(id, controller);
    try {
      if (signal.aborted) throw abortReason(signal);
      return await work({
        requestId: id,
        signal,
        timeoutMs: limit,
        expiresAt: Date.now() + limit,
        onOpen: (prompt) =>
          this.send({ event: 'pending', data: { id, kind: prompt.kind, verificationCode: prompt.verificationCode, expiresAt: prompt.expiresAt } }),
      });
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(id);
    }
  }

  private replyError(id: string | null, error: KeyholdError): void {
    this.send({ id, ok: false, error: error.toBody() });
  }

  private send(frame: object): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(frame));
  }
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** `XXXX-XXXX` from a CSPRNG, in the app's alphabet (no 0/O, 1/I). */
function newVerificationCode(): string {
  let code = '';
  for (const byte of randomBytes(8)) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

function fieldsFor(missing: readonly SecretName[], specs: readonly FieldSpec[] | undefined): FieldSpec[] {
  return missing.map((name) => specs?.find((spec) => spec.name === name) ?? { name, label: name, type: 'password', required: true });
}

function timeoutError(ms: number): KeyholdError {
  return new KeyholdError('timeout', `Nobody answered the Keyhold window within ${Math.max(1, Math.round(ms / 1000))} s.`);
}

function abortReason(signal: AbortSignal): KeyholdError {
  const reason: unknown = signal.reason;
  return reason instanceof KeyholdError ? reason : new KeyholdError('cancelled', 'The request was cancelled.');
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function optional(reason: string | undefined, tool: string | undefined): { reason?: string; tool?: string } {
  return { ...(reason === undefined ? {} : { reason }), ...(tool === undefined ? {} : { tool }) };
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
