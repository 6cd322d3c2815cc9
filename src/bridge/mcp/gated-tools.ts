/**
 * What every SDK adapter's `KeyholdMcp` shares, whatever the SDK: the bridge
 * client and its parked requests, resolving a gate, running a gated call
 * (secret-flow.ts + runGated), `get()` and `close()`. An adapter says only how
 * to read an `McpCall` from its SDK's context, how to put a suspension on the
 * wire, and how to hand the values to its handler.
 */
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../shared/bridge-protocol.js';
import { KeyholdError, isKeyholdError } from '../../shared/keyhold-error.js';
import type { KeyholdClient } from '../client.js';
import type { DiscoveryOptions } from '../discovery.js';
import { adapterClient } from './adapter-client.js';
import { GateError, resolveGate, runGated, type Invalidate, type ResolvedGate, type SecretGate, type SecretValues } from './gate.js';
import type { McpCall, Suspension } from './mcp-call.js';
import { failureText } from './messages.js';
import { parkedRequestsFor, type ParkedRequests } from './parked-requests.js';
import { DEFAULT_ANSWER_WITHIN_MS, acquireSecrets, type Acquired } from './secret-flow.js';

/** The options every `KeyholdMcp` takes besides its SDK's server. */
export interface GatedToolsOptions extends DiscoveryOptions {
  /** Your server's name in Keyhold: shown in every window and the keychain namespace. Keep it stable across releases. */
  readonly name: string;
  /** Shown in the windows. */
  readonly version?: string;
  /** Default of every gate's `failFast` (2025-era URL-mode clients only: `-32042`, the client retries; default false). */
  readonly failFast?: boolean;
  /** How long a window waits for the user, in ms (default 300 000, at most 1 200 000). */
  readonly timeoutMs?: number;
  /** How long a call waits for the app to be reachable (default 5 000 ms). */
  readonly connectTimeoutMs?: number;
  /**
   * How long a tool call holds while a Keyhold window is open before it returns
   * the tool error `pending` ("approve, then ask again"; the request stays open
   * and the next call gets the answer), so it answers before the MCP client's
   * own timeout (60 s in the SDK clients). Default 50 000; 0 holds until the window ends.
   */
  readonly answerWithinMs?: number;
  /** Declare the (2025-era) logging capability when the server has not, so clients without elicitation see the code in a log entry (default true). */
  readonly declareLogging?: boolean;
  /**
   * Use this client instead of creating one (its server name must be `name`); `close()` leaves it open.
   * Helpers that share a client (several servers in one process) share its open requests too.
   */
  readonly client?: KeyholdClient;
}

/** How one SDK's calls look to the gate. */
export interface SdkCalls<Ctx, R> {
  callOf(ctx: Ctx): McpCall;
  /** A suspension on this SDK's wire (a result, or a thrown `-32042`). */
  suspended(suspension: Suspension): R;
  /** The tool error result. */
  failure(text: string, code: string): R;
}

type Handler<Ctx, R> = (args: unknown, hasArgs: boolean, ctx: Ctx, secrets: SecretValues<string>, invalidate: Invalidate<string>, fields: ResolvedGate['fields']) => Promise<R>;

export class GatedTools<Ctx, R> {
  readonly client: KeyholdClient;
  readonly name: string;
  private readonly ownsClient: boolean;
  private readonly parked: ParkedRequests;
  private withSecretsCount = 0;

  constructor(
    private readonly options: GatedToolsOptions,
    private readonly sdk: SdkCalls<Ctx, R>,
  ) {
    this.name = options.name;
    const { client, owned } = adapterClient(options);
    this.client = client;
    this.ownsClient = owned;
    this.parked = parkedRequestsFor(client);
  }

  /** A key that tells apart the callbacks `withSecrets` makes (a sealed state is bound to one). */
  nextCallbackKey(tool: string | undefined): string {
    this.withSecretsCount += 1;
    return `withSecrets#${this.withSecretsCount}:${tool ?? ''}`;
  }

  /** A callback `(args?, ctx)` that runs `handler` with the values of `gate.secrets`. */
  gated(gate: SecretGate<string, unknown>, toolName: string | undefined, key: string, handler: Handler<Ctx, R>): (...params: unknown[]) => Promise<R> {
    return (...params) => {
      const ctx = params[params.length - 1] as Ctx;
      const hasArgs = params.length > 1;
      const args = hasArgs ? params[0] : undefined;
      const resolved = this.resolve(gate, args, toolName);
      const call = this.sdk.callOf(ctx);
      let attempts = 0;
      return runGated<string, R, Suspension>({
        gate: resolved,
        client: this.client,
        // A second round in the same call (after SecretRejectedError) starts afresh: the retry's state is used up.
        acquire: () => this.acquire(resolved, attempts++ === 0 ? call : { ...call, requestState: undefined, inputAnswer: 'missing' }, key, args, true),
        suspended: (suspension) => this.sdk.suspended(suspension),
        handler: (secrets, invalidate) => handler(args, hasArgs, ctx, secrets, invalidate, resolved.fields),
        failure: (text, code) => this.sdk.failure(text, code),
        cancelled: () => call.signal.aborted,
      });
    };
  }

  /** The values for any handler; the call waits while a window is open. Rejects with the sentence a tool error would show. */
  async get<N extends string>(ctx: Ctx, gate: SecretGate<N, undefined>): Promise<SecretValues<N>> {
    const resolved = this.resolve(gate as unknown as SecretGate<string, unknown>, undefined, gate.tool);
    try {
      const acquired = await this.acquire(resolved, this.sdk.callOf(ctx), `get:${resolved.tool ?? ''}`, undefined, false);
      if ('suspend' in acquired) throw new KeyholdError('invalid_request', 'A call that cannot suspend was suspended.');
      const out: Record<string, string> = {};
      for (const name of resolved.names) out[name] = acquired.values[name] ?? '';
      return out as SecretValues<N>;
    } catch (error) {
      if (!isKeyholdError(error)) throw error;
      throw new KeyholdError(error.code, failureText(error, resolved, error instanceof GateError ? error.endedBy : undefined), { cause: error });
    }
  }

  /** Cancels open Keyhold requests and closes the bridge client (unless it was given in the options). */
  async close(): Promise<void> {
    if (!this.ownsClient) return;
    this.parked.closeAll();
    await this.client.close();
  }

  private resolve(gate: SecretGate<string, unknown>, args: unknown, tool: string | undefined): ResolvedGate {
    return resolveGate(gate, args, { serverName: this.name, tool, failFast: this.options.failFast ?? false });
  }

  private acquire(gate: ResolvedGate, call: McpCall, toolKey: string, args: unknown, suspendable: boolean): Promise<Acquired> {
    const budget = this.options.answerWithinMs ?? DEFAULT_ANSWER_WITHIN_MS;
    return acquireSecrets({
      call,
      gate,
      toolKey,
      args,
      client: this.client,
      parked: this.parked,
      timeoutMs: gate.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      suspendable,
      answerWithinMs: budget > 0 ? budget : undefined,
    });
  }
}

/** The tool error every failure becomes: text for the user and the model, the code in `_meta` for programs. */
export function toolErrorResult(text: string, code: string): { content: Array<{ type: 'text'; text: string }>; isError: true; _meta: { 'keyhold/error': string } } {
  return { content: [{ type: 'text', text }], isError: true, _meta: { 'keyhold/error': code } };
}
