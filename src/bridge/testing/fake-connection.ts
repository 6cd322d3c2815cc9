/**
 * One WebSocket from an MCP server to the fake app, speaking bridge protocol
 * v1: `hello` first, then requests, each parsed with the app's schemas and
 * answered by id. Requests that show windows are cancellable by id, timed
 * from arrival, and announce each window with a `pending` event.
 */
import { randomUUID } from 'node:crypto';

import type { RawData, WebSocket } from 'ws';

import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  PROTOCOL_VERSION,
  describeIssues,
  requestEnvelopeSchema,
  requestSchemas,
  type RequestParams,
  type RequestType,
} from '../../shared/bridge-protocol.js';
import { KeyholdError, isKeyholdError } from '../../shared/keyhold-error.js';
import { abortReason, timeoutError } from './abort.js';
import type { FakeKeyholdApp } from './fake-app.js';
import type { CallContext, Session } from './fake-types.js';

export class FakeConnection {
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
          this.send({ event: 'pending', data: { id, kind: prompt.kind, verificationCode: prompt.verificationCode, expiresAt: prompt.expiresAt, link: prompt.link } }),
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

function optional(reason: string | undefined, tool: string | undefined): { reason?: string; tool?: string } {
  return { ...(reason === undefined ? {} : { reason }), ...(tool === undefined ? {} : { tool }) };
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
