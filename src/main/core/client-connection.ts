/**
 * One authenticated WebSocket connection from a client (the app's side; the
 * bridge package's own `BridgeConnection` is the client's side): parses every frame with the
 * protocol schemas, requires `hello` first, dispatches requests to the access
 * policy, and answers each with its id. A bad frame gets `invalid_request`
 * and the connection stays usable; nothing it sent changes any state.
 * When the connection closes, its in-flight prompts close (`cancelled`) and
 * its session grants end.
 *
 * Limits shared by all connections (connection-limits.ts): a request that
 * may wait for the user reserves its frame's bytes from the pending-payload
 * budget until it settles, and `hello` counts the connection under its
 * process identity. Either refusal is `busy`; a refused hello also closes
 * the connection (1013, try again later), so it holds no slot.
 */
import { randomUUID } from 'node:crypto';

import type { RawData, WebSocket } from 'ws';

import {
  describeIssues,
  requestEnvelopeSchema,
  requestSchemas,
  type ErrorBody,
  type RequestParams,
  type RequestType,
} from '../../shared/bridge-protocol.js';
import { KeyholdError, isKeyholdError } from '../../shared/keyhold-error.js';
import { rawText } from '../../shared/node-io.js';
import type { PendingPayloadAccount, PendingPayloadBudget, ProcessConnectionCap, Release } from './connection-limits.js';
import type { SocketPorts } from './process-identity.js';
import type { ProcessInfo, Prompt } from './prompter.js';
import type { SecretAccess } from './secret-access.js';
import type { ClientSession, SecretChanges } from './secret-changes.js';

export const MAX_IN_FLIGHT_PER_CONNECTION = 16;
/**
 * Replies the socket may hold for a client that does not read them. Past this
 * the connection is dropped: a client that sends without reading cannot make
 * the app buffer without bound (test: slow_reader_memory, fuzz-protocol).
 */
export const MAX_BUFFERED_REPLY_BYTES = 8 * 1024 * 1024;
/** How long a connection that broke the protocol has to receive its close frame before it is dropped. */
const CLOSE_GRACE_MS = 250;

export interface ConnectionDeps {
  readonly access: SecretAccess;
  readonly changes: Pick<SecretChanges, 'endSession'>;
  readonly appVersion: string;
  /** Who is behind a connection (process-identity.ts `identifyPeer`, sharing the core's /proc scans). */
  readonly identify: (claimedPid: number, ports: SocketPorts) => Promise<ProcessInfo>;
  readonly onSession?: (session: ClientSession, open: boolean) => void;
  /** Told about every well-formed request after `hello`, before it is handled (the test kit records them). */
  readonly onRequest?: RequestObserver;
  /** Bytes of requests waiting for the user, over all connections. */
  readonly pendingPayload?: PendingPayloadBudget;
  /** Connections per process identity, counted from `hello`. */
  readonly processCap?: ProcessConnectionCap;
}

/** Sees each parsed request of a session; `params` may hold values (`secrets.put`): an observer must not keep them. */
export type RequestObserver = <T extends Exclude<RequestType, 'hello'>>(session: ClientSession, type: T, params: RequestParams<T>) => void;

export class ClientConnection {
  private session: ClientSession | undefined;
  private helloInFlight = false;
  private releaseProcessSlot: Release | undefined;
  private readonly pending: PendingPayloadAccount | undefined;
  private readonly inFlight = new Map<string, LazyAbort>();
  private readonly handling = new Set<Promise<void>>();

  constructor(
    private readonly socket: WebSocket,
    private readonly ports: SocketPorts,
    private readonly deps: ConnectionDeps,
  ) {
    this.pending = deps.pendingPayload?.account();
    socket.on('message', (data, isBinary) => {
      const handled = this.receive(data, isBinary);
      this.handling.add(handled);
      void handled.finally(() => this.handling.delete(handled));
    });
    socket.on('close', () => this.closed());
    // A protocol error (bad UTF-8 → 1007, oversize → 1009) has already queued its close frame: give it a
    // moment to reach the client, then drop the socket whether or not the client answers the close.
    socket.on('error', () => setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref());
  }

  /** False until a hello frame arrives: such a connection has done nothing yet and may be dropped when the server is full. */
  get saidHello(): boolean {
    return this.helloInFlight || this.session !== undefined;
  }

  /** Drops the connection at once (no close handshake). */
  terminate(): void {
    this.socket.terminate();
  }

  /** Resolves when every frame received so far has been answered (used at shutdown, after prompts are cancelled). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.handling]);
  }

  private async receive(data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) {
      this.replyError(null, new KeyholdError('invalid_request', 'Binary frames are not part of the protocol; send JSON text frames.'));
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(rawText(data));
    } catch {
      this.replyError(null, new KeyholdError('invalid_request', 'The frame is not valid JSON.'));
      return;
    }
    const envelope = requestEnvelopeSchema.safeParse(frame);
    if (!envelope.success) {
      this.replyError(idOf(frame), new KeyholdError('invalid_request', `Malformed request: ${describeIssues(envelope.error)}`));
      return;
    }
    const { id, type, params } = envelope.data;
    if (!isRequestType(type)) {
      this.replyError(id, new KeyholdError('invalid_request', `Unknown request type "${type.slice(0, 64)}".`));
      return;
    }
    const parsed = requestSchemas[type].safeParse(params ?? {});
    if (!parsed.success) {
      this.replyError(id, new KeyholdError('invalid_request', `Bad ${type} params: ${describeIssues(parsed.error)}`));
      return;
    }
    try {
      this.reply(id, await this.dispatch(id, type, parsed.data, rawByteLength(data)));
    } catch (error) {
      this.replyError(id, isKeyholdError(error) ? error : new KeyholdError('unavailable', 'Keyhold failed to handle the request.'));
    }
  }

  private async dispatch(id: string, type: RequestType, params: unknown, frameBytes: number): Promise<object> {
    if (type === 'hello') return this.hello(id, params as RequestParams<'hello'>);
    const session = this.session;
    if (session === undefined) throw new KeyholdError('invalid_request', 'Send hello first.');
    this.deps.onRequest?.(session, type, params as RequestParams<typeof type>);
    switch (type) {
      case 'secrets.get':
        return { values: await this.prompting(id, frameBytes, (call) => this.deps.access.get(session, params as RequestParams<'secrets.get'>, call)) };
      case 'secrets.request':
        return {
          values: await this.prompting(id, frameBytes, (call) => this.deps.access.request(session, params as RequestParams<'secrets.request'>, call)),
        };
      case 'secrets.status':
        return { secrets: this.deps.access.status(session, (params as RequestParams<'secrets.status'>).names) };
      case 'secrets.invalidate':
        await this.deps.access.invalidate(session, params as RequestParams<'secrets.invalidate'>, id);
        return {};
      case 'secrets.list':
        return { servers: this.deps.access.list() };
      case 'secrets.put':
        return this.prompting(id, frameBytes, (call) => this.deps.access.put(session, params as RequestParams<'secrets.put'>, call));
      case 'secrets.delete':
        return this.prompting(id, frameBytes, (call) => this.deps.access.delete(session, params as RequestParams<'secrets.delete'>, call));
      case 'rules.list':
        return { rules: this.deps.access.listRules() };
      case 'rules.candidates':
        return { candidates: this.deps.access.ruleCandidates(session, (params as RequestParams<'rules.candidates'>).name) };
      case 'rules.add':
        return this.prompting(id, frameBytes, (call) => this.deps.access.addRule(session, params as RequestParams<'rules.add'>, call));
      case 'rules.remove':
        return this.prompting(id, frameBytes, (call) => this.deps.access.removeRules(session, params as RequestParams<'rules.remove'>, call));
      case 'cancel':
        this.inFlight.get((params as RequestParams<'cancel'>).id)?.abort(new KeyholdError('cancelled', 'The MCP server cancelled the request.'));
        return {};
    }
  }

  private async hello(id: string, params: RequestParams<'hello'>): Promise<object> {
    if (this.session !== undefined || this.helloInFlight) throw new KeyholdError('invalid_request', 'hello was already sent on this connection.');
    this.helloInFlight = true;
    const process = await this.deps.identify(params.process.pid, this.ports);
    // The client may have gone while /proc was read: then `closed()` already ran and found
    // no session, so registering one now would leave a ghost session behind.
    if (this.socket.readyState !== this.socket.OPEN) throw new KeyholdError('cancelled', 'The client disconnected during hello.');
    try {
      this.releaseProcessSlot = this.deps.processCap?.admit(process);
    } catch (error) {
      // Answer, then close: a connection refused here must not keep holding one of the server's
      // slots. (The caller's reply to the rethrown error finds the socket closing and sends nothing.)
      if (isKeyholdError(error)) this.replyError(id, error);
      this.socket.close(1013, 'Too many connections from this process');
      throw error;
    }
    this.session = {
      sessionId: randomUUID(),
      server: params.server.name,
      serverVersion: params.server.version,
      process,
    };
    this.deps.onSession?.(this.session, true);
    return { sessionId: this.session.sessionId, appVersion: this.deps.appVersion, protocol: params.protocol };
  }

  /** Runs a call that may open a window: tracks it for `cancel`, and sends `pending` when the window opens. */
  private async prompting<T>(id: string, frameBytes: number, work: (call: { requestId: string; signal: AbortSignal; onOpen: (prompt: Prompt) => void }) => Promise<T>): Promise<T> {
    if (this.inFlight.has(id)) throw new KeyholdError('invalid_request', `Request id "${id}" is already in flight on this connection.`);
    if (this.inFlight.size >= MAX_IN_FLIGHT_PER_CONNECTION) {
      throw new KeyholdError('busy', `At most ${MAX_IN_FLIGHT_PER_CONNECTION} requests may wait at once on one connection.`);
    }
    const release = this.pending?.reserve(frameBytes);
    const abort = new LazyAbort();
    this.inFlight.set(id, abort);
    try {
      return await work({
        requestId: id,
        get signal() {
          return abort.signal;
        },
        onOpen: (prompt) =>
          this.send({ event: 'pending', data: { id, kind: prompt.kind, verificationCode: prompt.verificationCode, expiresAt: prompt.expiresAt, link: prompt.id } }),
      });
    } finally {
      this.inFlight.delete(id);
      release?.();
    }
  }

  private closed(): void {
    for (const controller of this.inFlight.values()) controller.abort(new KeyholdError('cancelled', 'The MCP server disconnected.'));
    this.inFlight.clear();
    this.releaseProcessSlot?.();
    if (this.session !== undefined) {
      this.deps.changes.endSession(this.session.sessionId);
      this.deps.onSession?.(this.session, false);
    }
  }

  private reply(id: string, result: object): void {
    this.send({ id, ok: true, result });
  }

  private replyError(id: string | null, error: KeyholdError): void {
    const body: ErrorBody = error.toBody();
    this.send({ id, ok: false, error: body });
  }

  private send(frame: object): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_REPLY_BYTES) {
      this.socket.terminate();
      return;
    }
    this.socket.send(JSON.stringify(frame));
  }
}

/**
 * An AbortController made only when someone asks for its signal: most reads
 * are granted and never prompt, and creating a signal per request showed up
 * in profiles. An abort before that is remembered and applied on creation.
 */
class LazyAbort {
  private controller: AbortController | undefined;
  private reason: KeyholdError | undefined;

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.reason !== undefined) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: KeyholdError): void {
    if (this.controller === undefined) this.reason ??= reason;
    else this.controller.abort(reason);
  }
}

/** The size of a received frame, as the socket delivered it. */
function rawByteLength(data: RawData): number {
  if (Buffer.isBuffer(data)) return data.length;
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return (data as ArrayBuffer).byteLength;
}

function isRequestType(type: string): type is RequestType {
  return Object.hasOwn(requestSchemas, type);
}

/** The id of a frame we could not fully parse, if it has a usable one, so the client can match the error. */
function idOf(frame: unknown): string | null {
  if (typeof frame !== 'object' || frame === null) return null;
  const id = (frame as { id?: unknown }).id;
  return typeof id === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(id) ? id : null;
}
