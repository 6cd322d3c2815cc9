/**
 * One WebSocket to the app, from dial to close: the upgrade with the bearer
 * token, the `hello` exchange, then a stream of decoded frames for the client.
 * It knows nothing about retries or in-flight requests; `KeyholdClient` owns
 * those and opens a new `BridgeConnection` after each loss.
 *
 * The socket is unref'd whenever no request is waiting (`setBusy(false)`), so
 * an idle MCP server process can exit while still connected.
 */
import type { Socket } from 'node:net';

import WebSocket from 'ws';

import { MAX_REPLY_BYTES, PROTOCOL_VERSION, type RequestParams } from '../shared/bridge-protocol.js';
import { KeyholdError } from '../shared/keyhold-error.js';
import { isErrno, rawText } from '../shared/node-io.js';
import { unrefTimeout } from './backoff.js';
import { appNotRunningError, describeSource, nothingAnswersDetail, type BridgeEndpoint } from './discovery.js';
import { encodeRequest, newRequestId, parseResult, parseServerFrame, type IncomingFrame } from './frames.js';

export interface ConnectionHandlers {
  /** Every frame after the hello reply. */
  readonly onFrame: (frame: IncomingFrame) => void;
  /** Called once when an open connection ends (not after `close()`); `message` explains it for the requests it takes down. */
  readonly onClose: (connection: BridgeConnection, message: string) => void;
}

export interface OpenOptions {
  readonly endpoint: BridgeEndpoint;
  readonly hello: Omit<RequestParams<'hello'>, 'protocol'>;
  /** Upgrade + hello must finish within this. */
  readonly timeoutMs: number;
}

export const CONNECTION_LOST_MESSAGE = 'The Keyhold app closed the connection (did it quit?)';

export class BridgeConnection {
  private phase: 'hello' | 'open' | 'closed' = 'hello';
  private helloFailure: KeyholdError | undefined;
  private socketError: string | undefined;
  private socket: Socket | undefined;
  private sessionInfo = { sessionId: '', appVersion: '' };
  private readonly closedPromise: Promise<void>;

  private constructor(
    private readonly ws: WebSocket,
    readonly endpoint: BridgeEndpoint,
  ) {
    this.closedPromise = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  /** Dials, authenticates and says hello. Rejects with a KeyholdError that says what went wrong and what to do. */
  static open(options: OpenOptions, handlers: ConnectionHandlers): Promise<BridgeConnection> {
    const ws = new WebSocket(options.endpoint.url, {
      headers: { Authorization: `Bearer ${options.endpoint.token}` },
      maxPayload: MAX_REPLY_BYTES,
      handshakeTimeout: options.timeoutMs,
      perMessageDeflate: false,
      followRedirects: false,
    });
    const connection = new BridgeConnection(ws, options.endpoint);
    return new Promise((resolve, reject) => connection.wire(options, handlers, resolve, reject));
  }

  get sessionId(): string {
    return this.sessionInfo.sessionId;
  }

  get appVersion(): string {
    return this.sessionInfo.appVersion;
  }

  get isOpen(): boolean {
    return this.phase === 'open' && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends one encoded frame; false when the connection is no longer open. */
  send(text: string): boolean {
    if (!this.isOpen) return false;
    this.ws.send(text);
    return true;
  }

  /** Keeps the process alive while a request waits; lets it exit when idle. */
  setBusy(busy: boolean): void {
    if (busy) this.socket?.ref();
    else this.socket?.unref();
  }

  /** Closes politely, then forcibly if the app does not answer the close within a second. No `onClose` call. */
  async close(): Promise<void> {
    this.phase = 'closed';
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(1000, 'client closed');
    const force = unrefTimeout(() => this.ws.terminate(), 1_000);
    await this.closedPromise;
    clearTimeout(force);
  }

  /** All listeners are attached at once, so no frame can arrive between hello and the open phase unheard. */
  private wire(
    options: OpenOptions,
    handlers: ConnectionHandlers,
    resolve: (connection: BridgeConnection) => void,
    reject: (error: KeyholdError) => void,
  ): void {
    const { ws, endpoint } = this;
    const helloId = newRequestId();
    const failHello = (error: KeyholdError): void => {
      this.helloFailure ??= error;
      ws.terminate();
    };
    const timer = unrefTimeout(() => {
      failHello(new KeyholdError('unavailable', `The Keyhold app at ${endpoint.url} (${describeSource(endpoint.source)}) did not answer within ${options.timeoutMs} ms.`));
    }, options.timeoutMs);

    ws.once('upgrade', (response) => {
      this.socket = response.socket;
    });
    ws.once('unexpected-response', (_request, response) => {
      response.resume();
      failHello(upgradeRefused(endpoint, response.statusCode ?? 0));
    });
    ws.once('open', () => {
      ws.send(encodeRequest(helloId, 'hello', { protocol: PROTOCOL_VERSION, ...options.hello }));
    });
    ws.on('message', (data, isBinary) => {
      const frame: IncomingFrame = isBinary
        ? { kind: 'malformed', id: null, problem: 'binary frame' }
        : parseServerFrame(rawText(data));
      if (this.phase === 'open') return handlers.onFrame(frame);
      if (this.phase !== 'hello' || frame.kind === 'pending') return;
      if (frame.id !== helloId && frame.id !== null) return;
      if (frame.kind === 'failure') return failHello(new KeyholdError(frame.error.code, frame.error.message));
      if (frame.kind === 'malformed') return failHello(protocolError(endpoint, frame.problem));
      const result = parseResult('hello', frame.result);
      if (!result.ok) return failHello(protocolError(endpoint, result.problem));
      clearTimeout(timer);
      this.sessionInfo = { sessionId: result.value.sessionId, appVersion: result.value.appVersion };
      this.phase = 'open';
      this.setBusy(false);
      resolve(this);
    });
    ws.on('error', (error) => {
      if (this.phase === 'hello') this.helloFailure ??= dialError(endpoint, error);
      else this.socketError ??= describeSocketError(error);
    });
    ws.once('close', (code, reason) => {
      clearTimeout(timer);
      const phase = this.phase;
      this.phase = 'closed';
      if (phase === 'hello') {
        const base = `The Keyhold app at ${endpoint.url} closed the connection during hello`;
        reject(this.helloFailure ?? new KeyholdError('unavailable', closeExplanation(base, code, reason.toString('utf8'))));
      } else if (phase === 'open') {
        handlers.onClose(this, closeExplanation(this.socketError ?? CONNECTION_LOST_MESSAGE, code, reason.toString('utf8')));
      }
    });
  }
}

function dialError(endpoint: BridgeEndpoint, error: Error): KeyholdError {
  if (isErrno(error, 'ECONNREFUSED')) return appNotRunningError(nothingAnswersDetail(endpoint), { cause: error });
  return new KeyholdError(
    'unavailable',
    `Could not reach the Keyhold app at ${endpoint.url} (${describeSource(endpoint.source)}): ${describeSocketError(error)}.`,
    { cause: error },
  );
}

function upgradeRefused(endpoint: BridgeEndpoint, status: number): KeyholdError {
  const source = describeSource(endpoint.source);
  if (status === 401) {
    const hint =
      endpoint.source.kind === 'file'
        ? 'the Keyhold app probably restarted (it issues a new token on every start); the next attempt reads the file again'
        : 'the token is stale: the Keyhold app issues a new one on every start, so update it or unset it to use the discovery file';
    return new KeyholdError('unauthorized', `The Keyhold app at ${endpoint.url} refused the bridge token (${source}): ${hint}.`);
  }
  if (status === 403) {
    return new KeyholdError('unauthorized', `The Keyhold app at ${endpoint.url} refused the connection (HTTP 403): it accepts only loopback connections without an Origin header.`);
  }
  if (status === 503) {
    return new KeyholdError('busy', `The Keyhold app at ${endpoint.url} has too many bridge connections open; try again once some MCP servers have stopped.`);
  }
  return new KeyholdError('unavailable', `${endpoint.url} (${source}) answered HTTP ${status} instead of the Keyhold bridge: is another program using that port?`);
}

function protocolError(endpoint: BridgeEndpoint, problem: string): KeyholdError {
  return new KeyholdError('unavailable', `Protocol error: the Keyhold app at ${endpoint.url} sent a frame this bridge does not understand (${problem}). Update @keyhold/bridge or the app.`);
}

function closeExplanation(base: string, code: number, reason: string): string {
  const said = reason.trim().slice(0, 200);
  if (code === 1009) return `${base}: a frame exceeded the size limit (close code 1009).`;
  return said === '' ? `${base}.` : `${base}: "${said}" (close code ${code}).`;
}

function describeSocketError(error: Error): string {
  if (isErrno(error, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')) return `The Keyhold app sent a frame over the ${MAX_REPLY_BYTES} byte limit`;
  if (isErrno(error, 'ECONNRESET')) return CONNECTION_LOST_MESSAGE;
  return error.message.slice(0, 200);
}

