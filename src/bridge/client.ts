/**
 * `KeyholdClient`: what an MCP server uses to get its API keys from the
 * Keyhold app. One client holds one WebSocket (opened on first use, redialled
 * after a loss); every method is one request/reply on it.
 *
 * Guarantees:
 * - Every call settles: with the app's answer, or with a KeyholdError whose
 *   `code` is one of the pinned protocol codes (`timeout` when the app goes
 *   quiet, `unavailable` when the connection is lost or the app sends a frame
 *   this bridge cannot parse, `cancelled` when the caller's signal fires).
 * - A call that gives up (timeout, abort) tells the app with `cancel`, so the
 *   window the user sees closes too.
 * - Secret values appear only in the resolved results: never in an error
 *   message, never in a log (this module logs nothing but the one fallback
 *   warning below, and that names variables, not values).
 * - Headless: with `KEYHOLD_FALLBACK=env` in the environment, `get` and
 *   `status` read `KEYHOLD_SECRET_<SERVER>_<NAME>` when, and only when, the
 *   app is unreachable (see env-fallback.ts); a denial is never bypassed.
 */
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  describeIssues,
  helloParamsSchema,
  requestSchemas,
  type FieldSpec,
  type PendingEvent,
  type RequestParams,
  type RequestResult,
  type RequestType,
  type SecretName,
  type WireRule,
  type WireRuleCandidate,
} from '../shared/bridge-protocol.js';
import { KeyholdError, isKeyholdError } from '../shared/keyhold-error.js';
import { BridgeConnection, CONNECTION_LOST_MESSAGE } from './connection.js';
import { Connector, abortedError, closedError } from './connector.js';
import { appNotRunningError, describeLookup, discoverBridge, type DiscoveryOptions } from './discovery.js';
import { EnvFallback } from './env-fallback.js';
import { encodeRequest, newRequestId, parseResult, type IncomingFrame } from './frames.js';
import { InFlightRequests } from './in-flight.js';
import { requestLinkFor } from './request-link.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** Extra wait past a prompt's own timeout, so the app's `timeout` reply (which closes its window) normally wins. */
export const TIMEOUT_GRACE_MS = 2_000;
/** Timeout of requests that never open a window (status, invalidate, cancel). */
export const QUICK_REQUEST_TIMEOUT_MS = 30_000;
/** The protocol's upper bound for a prompt's `timeoutMs`. */
const MAX_TIMEOUT_MS = DEFAULT_REQUEST_TIMEOUT_MS * 4;

export interface KeyholdClientOptions extends DiscoveryOptions {
  /** Who is asking: shown in every window, and the keychain namespace (`keyhold/<name>`). */
  readonly server: { readonly name: string; readonly version?: string };
  /** How long a window may wait for the user (default 300 000 ms, at most 1 200 000). */
  readonly requestTimeoutMs?: number;
  /** How long a call waits for the app to be reachable (default 5 000 ms). */
  readonly connectTimeoutMs?: number;
  /** Where the client's one-line warnings go (the `KEYHOLD_FALLBACK` one); default: stderr, never stdout. */
  readonly onWarning?: (message: string) => void;
}

export interface PromptOptions {
  /** Why the server needs the secrets now; shown to the user. */
  readonly reason?: string;
  /** The MCP tool being run, when there is one; shown to the user. */
  readonly tool?: string;
  /** Markdown shown above the entry fields (how to create the key, where to find it). */
  readonly guide?: string;
  /** Overrides `requestTimeoutMs` for this call. */
  readonly timeoutMs?: number;
  /** Aborting it cancels the request and closes its window; the call rejects with `cancelled`. */
  readonly signal?: AbortSignal;
  /** Called when the app opens this request's window, with the verification code to show. */
  readonly onPending?: (event: PendingEvent) => void;
}

export interface GetOptions extends PromptOptions {
  /** How to ask for names that are not stored yet (default: one password field each). */
  readonly fields?: readonly FieldSpec[];
}

export interface SecretStatus {
  readonly name: SecretName;
  readonly exists: boolean;
  readonly invalidated: boolean;
}

/** One server's stored secret names, from `list()`. */
export interface ServerSecrets {
  readonly name: string;
  readonly secrets: ReadonlyArray<{ readonly name: SecretName; readonly invalidated: boolean }>;
}

/** Options of `put` and `delete`: they always open an approval window. */
export type ChangeOptions = Pick<PromptOptions, 'reason' | 'timeoutMs' | 'signal' | 'onPending'>;

interface CallOptions {
  /** How long the request itself may take (what the error message reports). */
  readonly timeoutMs: number;
  /** Added to `timeoutMs` before the client gives up, so the app's own timeout answer can arrive first. */
  readonly graceMs?: number;
  readonly signal?: AbortSignal | undefined;
  readonly onPending?: ((event: PendingEvent) => void) | undefined;
}

export class KeyholdClient {
  private readonly connector: Connector<BridgeConnection>;
  private readonly inFlight = new InFlightRequests((busy) => this.connector.connection?.setBusy(busy));
  private readonly pendingListeners = new Set<(event: PendingEvent) => void>();
  private readonly requestTimeoutMs: number;
  private readonly hello: Omit<RequestParams<'hello'>, 'protocol'>;
  private closing: Promise<void> | undefined;
  private readonly fallback: EnvFallback;

  constructor(private readonly options: KeyholdClientOptions) {
    const { name, version } = options.server;
    this.hello = { server: version === undefined ? { name } : { name, version }, process: { pid: process.pid } };
    const hello = helloParamsSchema.safeParse({ protocol: PROTOCOL_VERSION, ...this.hello });
    if (!hello.success) throw new KeyholdError('invalid_request', `Invalid server option: ${describeIssues(hello.error)}`);
    this.fallback = new EnvFallback(options.env ?? process.env, name, options.onWarning);
    this.requestTimeoutMs = timeoutOption(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs');
    const connectTimeoutMs = timeoutOption(options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS, 'connectTimeoutMs');
    this.connector = new Connector({
      connectTimeoutMs,
      open: () => this.openConnection(connectTimeoutMs),
      timeoutError: (last) =>
        last !== undefined
          ? new KeyholdError(last.code, last.message, { cause: last })
          : appNotRunningError(`nothing answered within ${connectTimeoutMs} ms (looked at ${describeLookup(options)})`),
    });
  }

  /**
   * The values of `names`. Granted names return at once; stored but ungranted
   * ones open the approval window; missing ones open the entry window.
   */
  async get(names: readonly SecretName[], options: GetOptions = {}): Promise<Record<string, string>> {
    const unreachable = await this.unreachableForFallback(options.signal);
    if (unreachable !== undefined) return this.fallback.values(names, unreachable);
    const params: RequestParams<'secrets.get'> = {
      names: [...names],
      reason: options.reason,
      tool: options.tool,
      fields: options.fields === undefined ? undefined : [...options.fields],
      guide: options.guide,
      timeoutMs: options.timeoutMs ?? this.requestTimeoutMs,
    };
    const result = await this.call('secrets.get', params, this.promptCallOptions(options));
    return result.values;
  }

  /** Opens the entry window with `fields`, stores what the user saves, and returns it. */
  async request(fields: readonly FieldSpec[], options: PromptOptions = {}): Promise<Record<string, string>> {
    const params: RequestParams<'secrets.request'> = {
      fields: [...fields],
      guide: options.guide,
      reason: options.reason,
      tool: options.tool,
      timeoutMs: options.timeoutMs ?? this.requestTimeoutMs,
    };
    const result = await this.call('secrets.request', params, this.promptCallOptions(options));
    return result.values;
  }

  /** Which of `names` (default: all of this server's) are stored; never opens a window, never returns values. */
  async status(names?: readonly SecretName[]): Promise<SecretStatus[]> {
    const unreachable = await this.unreachableForFallback(undefined);
    if (unreachable !== undefined) return (names ?? []).map((name) => ({ name, exists: this.fallback.has(name), invalidated: false }));
    const params = { names: names === undefined ? undefined : [...names] };
    const result = await this.call('secrets.status', params, { timeoutMs: QUICK_REQUEST_TIMEOUT_MS });
    return result.secrets;
  }

  /** Marks stored values as rejected (e.g. the API answered 401): the next `get` asks the user for new ones. */
  async invalidate(names: readonly SecretName[], reason?: string): Promise<void> {
    await this.call('secrets.invalidate', { names: [...names], reason }, { timeoutMs: QUICK_REQUEST_TIMEOUT_MS });
  }

  /**
   * Connects now instead of on first use, and says which app answered. Rejects
   * like any call when the app is unreachable (`unavailable`, "not running").
   */
  async connect(options: { readonly signal?: AbortSignal } = {}): Promise<{ readonly appVersion: string }> {
    if (this.closing !== undefined) throw closedError();
    const connection = await this.connected(options.signal, false);
    return { appVersion: connection.appVersion };
  }

  /** Every server's stored secret names (never values); opens no window. */
  async list(): Promise<ServerSecrets[]> {
    const result = await this.call('secrets.list', {}, { timeoutMs: QUICK_REQUEST_TIMEOUT_MS });
    return result.servers;
  }

  /**
   * Stores values under this client's server name, new or replacing. Always
   * opens an approval window that says "store"; rejects with `denied` when
   * the user says no. Resolves with which names were new and which replaced.
   */
  async put(values: Readonly<Record<SecretName, string>>, options: ChangeOptions = {}): Promise<{ created: SecretName[]; replaced: SecretName[] }> {
    const params: RequestParams<'secrets.put'> = { values: { ...values }, reason: options.reason, timeoutMs: options.timeoutMs ?? this.requestTimeoutMs };
    return this.call('secrets.put', params, this.promptCallOptions(options));
  }

  /**
   * Deletes stored secrets of this client's server. Always opens an approval
   * window that says "delete"; `not_found` (without a window) when a name is not stored.
   */
  async delete(names: readonly SecretName[], options: ChangeOptions = {}): Promise<{ deleted: SecretName[] }> {
    const params: RequestParams<'secrets.delete'> = { names: [...names], reason: options.reason, timeoutMs: options.timeoutMs ?? this.requestTimeoutMs };
    return this.call('secrets.delete', params, this.promptCallOptions(options));
  }

  /** Every server's always-allow rules with the process each is bound to; opens no window (`keyhold rules ls`). */
  async rules(): Promise<WireRule[]> {
    return (await this.call('rules.list', {}, { timeoutMs: QUICK_REQUEST_TIMEOUT_MS })).rules;
  }

  /** The verified processes a rule for this server's secret can be bound to (other live sessions, the last verified reader); no window. */
  async ruleCandidates(name: SecretName): Promise<WireRuleCandidate[]> {
    return (await this.call('rules.candidates', { name }, { timeoutMs: QUICK_REQUEST_TIMEOUT_MS })).candidates;
  }

  /**
   * Asks the user for an always-allow rule for one of `ruleCandidates` (by
   * key). Always opens an approval window that names the process; `denied`
   * when the user says no. For the `keyhold rules add` command.
   */
  async addRule(name: SecretName, candidate: string, options: ChangeOptions = {}): Promise<WireRule> {
    const params: RequestParams<'rules.add'> = { name, candidate, reason: options.reason, timeoutMs: options.timeoutMs ?? this.requestTimeoutMs };
    return (await this.call('rules.add', params, this.promptCallOptions(options))).rule;
  }

  /** Asks the user to remove the secret's always-allow rules (or the one with `id`); always opens an approval window. */
  async removeRules(name: SecretName, options: ChangeOptions & { readonly id?: string } = {}): Promise<string[]> {
    const params: RequestParams<'rules.remove'> = { name, id: options.id, reason: options.reason, timeoutMs: options.timeoutMs ?? this.requestTimeoutMs };
    return (await this.call('rules.remove', params, this.promptCallOptions(options))).removed;
  }

  /**
   * Cancels a request by id (from a `pending` event) and closes its window; the
   * request itself then rejects with `cancelled`. Resolves also when that
   * request has already finished.
   */
  async cancel(requestId: string): Promise<void> {
    try {
      await this.call('cancel', { id: requestId }, { timeoutMs: QUICK_REQUEST_TIMEOUT_MS });
    } catch (error) {
      if (error instanceof KeyholdError && error.code === 'not_found') return;
      throw error;
    }
  }

  /** Calls `listener` whenever the app opens a window for one of this client's requests. Returns the unsubscribe. */
  /** `http://127.0.0.1:<port>/request/<link>`: brings the event's window to the front (request-link.ts); undefined when unknown. */
  requestLink(event: PendingEvent): string | undefined {
    const connection = this.connector.connection;
    if (connection === undefined || event.link === undefined) return undefined;
    return requestLinkFor(connection.endpoint.url, event.link);
  }

  onPending(listener: (event: PendingEvent) => void): () => void {
    this.pendingListeners.add(listener);
    return () => {
      this.pendingListeners.delete(listener);
    };
  }

  /** Ends the connection and all redialling; requests still waiting reject with `cancelled`. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.pendingListeners.clear();
      this.inFlight.failAll(new KeyholdError('cancelled', 'The KeyholdClient was closed before the request finished.'));
      await this.connector.close();
    })();
    return this.closing;
  }

  private promptCallOptions(options: PromptOptions): CallOptions {
    return {
      timeoutMs: options.timeoutMs ?? this.requestTimeoutMs,
      graceMs: TIMEOUT_GRACE_MS,
      signal: options.signal,
      onPending: options.onPending,
    };
  }

  private async call<T extends RequestType>(type: T, params: RequestParams<T>, options: CallOptions): Promise<RequestResult<T>> {
    if (this.closing !== undefined) throw closedError();
    const checked = requestSchemas[type].safeParse(params);
    if (!checked.success) throw new KeyholdError('invalid_request', `Invalid ${type} request: ${describeIssues(checked.error)}`);
    const id = newRequestId();
    const frame = encodeRequest(id, type, checked.data as RequestParams<T>);
    if (Buffer.byteLength(frame, 'utf8') > MAX_FRAME_BYTES) {
      throw new KeyholdError('invalid_request', `The ${type} request is larger than the app accepts (${MAX_FRAME_BYTES} bytes); shorten the guide or the defaults.`);
    }
    const { signal } = options;
    throwIfAborted(signal);
    const connection = await this.connected(signal, type === 'secrets.get' || type === 'secrets.status');
    throwIfAborted(signal);

    return new Promise<RequestResult<T>>((resolve, reject) => {
      const abandon = (error: KeyholdError): void => {
        if (this.inFlight.take(id) === undefined) return;
        connection.send(encodeRequest(newRequestId(), 'cancel', { id }));
        reject(error);
      };
      const timer = setTimeout(() => {
        const within = formatDuration(options.timeoutMs);
        abandon(new KeyholdError('timeout', `The Keyhold app did not answer the ${type} request within ${within}; it was cancelled.`));
      }, options.timeoutMs + (options.graceMs ?? 0));
      const onAbort = (): void => abandon(abortedError(signal));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.inFlight.add({
        id,
        type,
        connection,
        onPending: options.onPending,
        resolve: (raw) => {
          const result = parseResult(type, raw);
          if (result.ok) resolve(result.value);
          else reject(protocolError(result.problem));
        },
        reject,
        dispose: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      });
      if (!connection.send(frame)) {
        this.inFlight.take(id)?.reject(new KeyholdError('unavailable', `${CONNECTION_LOST_MESSAGE}.`));
      }
    });
  }

  /** The open connection; an unreachable app's error gains the fallback hint when `hint` (reads only). */
  private async connected(signal: AbortSignal | undefined, hint: boolean): Promise<BridgeConnection> {
    try {
      return await this.connector.connected(signal);
    } catch (error) {
      if (!hint || !isKeyholdError(error, 'unavailable') || signal?.aborted === true) throw error;
      throw this.fallback.explain(error);
    }
  }

  /**
   * With `KEYHOLD_FALLBACK=env`: the reason the app is unreachable, if it is
   * (no discovery file or a dead app, at once; else a failed connect). Undefined
   * when the fallback is off or the app answers; other errors (a refused
   * token, too many connections) are thrown: those are not "unreachable".
   */
  private async unreachableForFallback(signal: AbortSignal | undefined): Promise<KeyholdError | undefined> {
    if (!this.fallback.enabled || this.connector.connection !== undefined || this.closing !== undefined) return undefined;
    try {
      await discoverBridge(this.options);
      await this.connector.connected(signal);
      return undefined;
    } catch (error) {
      if (isKeyholdError(error, 'unavailable') && signal?.aborted !== true) return error;
      throw error;
    }
  }

  private async openConnection(timeoutMs: number): Promise<BridgeConnection> {
    const endpoint = await discoverBridge(this.options);
    return BridgeConnection.open(
      { endpoint, timeoutMs, hello: this.hello },
      {
        onFrame: (frame) => this.handleFrame(frame),
        onClose: (connection, message) => this.handleClose(connection, message),
      },
    );
  }

  private handleFrame(frame: IncomingFrame): void {
    if (frame.kind === 'pending') {
      const request = this.inFlight.peek(frame.event.id);
      const listeners = request?.onPending === undefined ? [...this.pendingListeners] : [request.onPending, ...this.pendingListeners];
      for (const listener of listeners) notify(listener, frame.event);
      return;
    }
    // A reply without a usable id cannot be matched to a request; its request times out instead.
    if (frame.id === null) return;
    const request = this.inFlight.take(frame.id);
    if (request === undefined) return;
    if (frame.kind === 'success') request.resolve(frame.result);
    else if (frame.kind === 'failure') request.reject(new KeyholdError(frame.error.code, frame.error.message));
    else request.reject(protocolError(frame.problem));
  }

  private handleClose(connection: BridgeConnection, message: string): void {
    this.inFlight.failAll(new KeyholdError('unavailable', message), connection);
    this.connector.lost(connection);
  }
}

function formatDuration(ms: number): string {
  return ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortedError(signal);
}

function notify(listener: (event: PendingEvent) => void, event: PendingEvent): void {
  try {
    listener(event);
  } catch {
    // A listener's bug must not take the connection down; the request goes on.
  }
}

function protocolError(problem: string): KeyholdError {
  return new KeyholdError(
    'unavailable',
    `Protocol error: the Keyhold app sent a reply this bridge does not understand (${problem}). Update @keyhold/bridge or the app.`,
  );
}

function timeoutOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_MS) {
    throw new KeyholdError('invalid_request', `${name} must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}.`);
  }
  return value;
}
