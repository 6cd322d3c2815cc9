/**
 * `KeyholdMcp`: gates tools of an `@modelcontextprotocol/sdk` `McpServer` on
 * secrets kept by Keyhold.
 *
 *   const keyhold = new KeyholdMcp({ server, name: 'github' });
 *   keyhold.tool('list_repos', { description, inputSchema }, { secrets: ['GITHUB_TOKEN'] },
 *     async (args, { secrets }) => ...);
 *
 * Each call asks Keyhold for the values (granted → at once; stored → approval
 * window; missing → entry window), tells the user through the MCP client which
 * verification code the window shows (announce.ts), runs the handler with the
 * values, and turns every way of not getting them into a clear tool error
 * (`isError: true`, text from messages.ts, `_meta["keyhold/error"]` = code).
 * The values go to the handler only: never into an MCP message.
 *
 * `failFast` tools answer a call that needs the user with the -32042 error
 * (URL elicitation required) and keep the Keyhold request open, parked under
 * the tool and its secret names; the client's retry takes the parked request
 * and waits for it (or gets its answer at once). A parked answer nobody
 * collects is dropped after 10 minutes.
 */
import { randomUUID } from 'node:crypto';

import type { McpServer, RegisteredTool, ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AnySchema, SchemaOutput, ShapeOutput, ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { SetLevelRequestSchema, UrlElicitationRequiredError, type CallToolResult, type ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';

import type { PendingEvent } from '../../shared/bridge-protocol.js';
import { KeyholdError, isKeyholdError } from '../../shared/keyhold-error.js';
import type { KeyholdClient } from '../client.js';
import type { DiscoveryOptions } from '../discovery.js';
import { adapterClient } from './adapter-client.js';
import { announcerFor, type ToolExtra } from './announce.js';
import { GateError, promptOptions, resolveGate, runGated, type ResolvedGate, type SecretGate, type SecretValues } from './gate.js';
import { failFastMessage, failureText, keyholdRequestUrl, windowNotice } from './messages.js';
import { redactDeep, secretValuesToRedact } from './redact.js';

/** How long a failFast answer waits for the client's retry. */
export const PARKED_RESULT_TTL_MS = 10 * 60_000;

export interface KeyholdMcpOptions extends DiscoveryOptions {
  /** The server whose tools need secrets. Create the helper before `server.connect()`. */
  readonly server: McpServer;
  /** Your server's name in Keyhold: shown in every window and the keychain namespace. Keep it stable across releases. */
  readonly name: string;
  /** Shown in the windows. */
  readonly version?: string;
  /** Default of every gate's `failFast` (default false). */
  readonly failFast?: boolean;
  /** How long a window waits for the user, in ms (default 300 000, at most 1 200 000). */
  readonly timeoutMs?: number;
  /** How long a call waits for the app to be reachable (default 5 000 ms). */
  readonly connectTimeoutMs?: number;
  /**
   * Declare the MCP logging capability when the server has not, so clients
   * without elicitation get the verification code as a log entry (default
   * true). Its `logging/setLevel` handler accepts any level and filters nothing.
   */
  readonly declareLogging?: boolean;
  /** Use this client (tests, sharing) instead of creating one; its server name must be `name`. `close()` leaves it open. */
  readonly client?: KeyholdClient;
}

/** `registerTool`'s config. */
export interface ToolConfig<InputArgs, OutputArgs> {
  readonly title?: string;
  readonly description?: string;
  readonly inputSchema?: InputArgs;
  readonly outputSchema?: OutputArgs;
  readonly annotations?: ToolAnnotations;
  readonly _meta?: Record<string, unknown>;
}

type InputSchema = undefined | ZodRawShapeCompat | AnySchema;

/** The parsed arguments of a tool with this input schema (undefined without one). */
export type ToolArgs<Args> = Args extends ZodRawShapeCompat ? ShapeOutput<Args> : Args extends AnySchema ? SchemaOutput<Args> : undefined;

/** What a gated handler gets besides its arguments: the SDK's `extra`, plus the values and `invalidate`. */
export type SecretToolExtra<N extends string> = ToolExtra & {
  /** The values, one per declared name ('' for an optional field left empty). Never log them or put them in the result. */
  readonly secrets: SecretValues<N>;
  /** Tells Keyhold the service rejected these values: the next call asks the user for new ones, saying why. */
  invalidate(names: N | readonly N[], reason?: string): Promise<void>;
};

/** A gated tool handler: like the SDK's `ToolCallback`, with `SecretToolExtra`. */
export type SecretToolHandler<N extends string, Args extends InputSchema = undefined> = [Args] extends [ZodRawShapeCompat | AnySchema]
  ? (args: ToolArgs<Args>, extra: SecretToolExtra<N>) => CallToolResult | Promise<CallToolResult>
  : (extra: SecretToolExtra<N>) => CallToolResult | Promise<CallToolResult>;

interface Parked {
  readonly values: Promise<Record<string, string>>;
  readonly abort: AbortController;
  expiry?: NodeJS.Timeout;
}

export class KeyholdMcp {
  /** The bridge client, for `status()` and friends. */
  readonly client: KeyholdClient;
  readonly name: string;
  private readonly mcp: McpServer;
  private readonly ownsClient: boolean;
  private readonly parked = new Map<string, Parked>();

  constructor(private readonly options: KeyholdMcpOptions) {
    this.mcp = options.server;
    this.name = options.name;
    const { client, owned } = adapterClient(options);
    this.client = client;
    this.ownsClient = owned;
    if (options.declareLogging !== false) declareLogging(this.mcp);
  }

  /** `server.registerTool(name, config, handler)`, with the handler gated on `gate.secrets`. */
  tool<const N extends string, InputArgs extends InputSchema = undefined, OutputArgs extends ZodRawShapeCompat | AnySchema = ZodRawShapeCompat>(
    name: string,
    config: ToolConfig<InputArgs, OutputArgs>,
    gate: SecretGate<N, ToolArgs<InputArgs>>,
    handler: SecretToolHandler<N, InputArgs>,
  ): RegisteredTool {
    const callback = this.gated(gate as unknown as SecretGate<string, unknown>, handler as AnyHandler, name) as unknown as ToolCallback<InputArgs>;
    return this.mcp.registerTool<OutputArgs, InputArgs>(name, config, callback);
  }

  /** A `ToolCallback` for `server.registerTool`, gated on `gate.secrets` (name the tool in `gate.tool`). */
  withSecrets<const N extends string, Args extends InputSchema = undefined>(
    gate: SecretGate<N, ToolArgs<Args>>,
    handler: SecretToolHandler<N, Args>,
  ): ToolCallback<Args> {
    return this.gated(gate as unknown as SecretGate<string, unknown>, handler as AnyHandler, undefined) as unknown as ToolCallback<Args>;
  }

  /**
   * The values of `gate.secrets` for any handler (prompts, resources, tools with
   * dynamic needs), with the same notices. Rejects with a KeyholdError whose
   * message is the sentence a tool error would show.
   */
  async get<const N extends string>(extra: ToolExtra, gate: SecretGate<N, undefined>): Promise<SecretValues<N>> {
    const resolved = resolveGate(gate, undefined, { serverName: this.name, failFast: this.options.failFast ?? false });
    try {
      const values = await this.acquire(resolved, extra, parkingKey(resolved.tool ?? 'get', resolved.names));
      const out: Record<string, string> = {};
      for (const name of resolved.names) out[name] = values[name] ?? '';
      return out as SecretValues<N>;
    } catch (error) {
      if (!isKeyholdError(error)) throw error;
      throw new KeyholdError(error.code, failureText(error, resolved, error instanceof GateError ? error.endedBy : undefined), { cause: error });
    }
  }

  /** Cancels parked failFast requests and closes the bridge client (unless it was given in the options). */
  async close(): Promise<void> {
    for (const parked of this.parked.values()) {
      clearTimeout(parked.expiry);
      parked.abort.abort();
    }
    this.parked.clear();
    if (this.ownsClient) await this.client.close();
  }

  private gated(gate: SecretGate<string, unknown>, handler: AnyHandler, toolName: string | undefined): (...params: unknown[]) => Promise<CallToolResult> {
    const key = parkingKey(toolName ?? `withSecrets:${randomUUID()}`, gate.secrets);
    return (...params) => {
      const extra = params[params.length - 1] as ToolExtra;
      const hasArgs = params.length > 1;
      const args = hasArgs ? params[0] : undefined;
      const resolved = resolveGate(gate, args, { serverName: this.name, tool: toolName, failFast: this.options.failFast ?? false });
      return runGated({
        gate: resolved,
        client: this.client,
        acquire: () => this.acquire(resolved, extra, key),
        handler: async (secrets, invalidate) => {
          const hidden = secretValuesToRedact(secrets, resolved.fields);
          const context: SecretToolExtra<string> = {
            ...extra,
            secrets,
            invalidate,
            sendNotification: (notification) => extra.sendNotification(redactDeep(notification, hidden)),
            sendRequest: ((request, schema, options) => extra.sendRequest(redactDeep(request, hidden), schema, options)) as ToolExtra['sendRequest'],
          };
          return hasArgs ? handler(args, context) : handler(context);
        },
        failure: toolError,
        cancelled: () => extra.signal.aborted,
      });
    };
  }

  private acquire(gate: ResolvedGate, extra: ToolExtra, key: string): Promise<Record<string, string>> {
    const urlMode = this.mcp.server.getClientCapabilities()?.elicitation?.url !== undefined;
    return gate.failFast && urlMode ? this.acquireFailFast(gate, extra, key) : this.acquireWaiting(gate, extra);
  }

  /** Holds the tool call open while the user answers the window. */
  private async acquireWaiting(gate: ResolvedGate, extra: ToolExtra): Promise<Record<string, string>> {
    const controller = new AbortController();
    let declined = false;
    const announcer = announcerFor({
      server: this.mcp.server,
      extra,
      subject: gate,
      decline: () => {
        declined = true;
        controller.abort();
      },
    });
    const onClientCancel = (): void => controller.abort();
    if (extra.signal.aborted) controller.abort();
    extra.signal.addEventListener('abort', onClientCancel, { once: true });
    try {
      return await this.client.get(gate.names, {
        ...promptOptions(gate),
        signal: controller.signal,
        onPending: (event) => announcer.opened(event),
      });
    } catch (error) {
      throw explainCancel(error, declined, extra.signal.aborted);
    } finally {
      extra.signal.removeEventListener('abort', onClientCancel);
      await announcer.settled();
    }
  }

  /** Answers -32042 as soon as a window opens; the request stays open, parked for the client's retry. */
  private async acquireFailFast(gate: ResolvedGate, extra: ToolExtra, key: string): Promise<Record<string, string>> {
    const waiting = this.parked.get(key);
    if (waiting !== undefined) {
      this.parked.delete(key);
      clearTimeout(waiting.expiry);
      return awaitParked(waiting, extra.signal);
    }
    const abort = new AbortController();
    let first: PendingEvent | undefined;
    let windowOpened!: (event: PendingEvent) => void;
    const opened = new Promise<PendingEvent>((resolve) => (windowOpened = resolve));
    const values = this.client.get(gate.names, {
      ...promptOptions(gate),
      signal: abort.signal,
      onPending: (event) => {
        if (first === undefined) {
          first = event;
          windowOpened(event);
        } else {
          // A second window (approval after entry) after the call has returned: the log is all that is left.
          void this.mcp.server.sendLoggingMessage({ level: 'notice', logger: 'keyhold', data: windowNotice(gate, event, 'log') }).catch(() => undefined);
        }
      },
    });
    values.catch(() => undefined);
    const onClientCancel = (): void => abort.abort();
    extra.signal.addEventListener('abort', onClientCancel, { once: true });
    let outcome: { values: Record<string, string> } | { event: PendingEvent };
    try {
      outcome = await Promise.race([values.then((v) => ({ values: v })), opened.then((event) => ({ event }))]);
    } catch (error) {
      throw explainCancel(error, false, extra.signal.aborted);
    } finally {
      extra.signal.removeEventListener('abort', onClientCancel);
    }
    if ('values' in outcome) return outcome.values;

    const elicitationId = randomUUID();
    const parked: Parked = { values, abort };
    this.parked.set(key, parked);
    const done = (): void => {
      try {
        void this.mcp.server.createElicitationCompletionNotifier(elicitationId)().catch(() => undefined);
      } catch {
        // The client went away or never took completions; the retry still finds the answer.
      }
      parked.expiry = setTimeout(() => {
        if (this.parked.get(key) === parked) this.parked.delete(key);
      }, PARKED_RESULT_TTL_MS);
      parked.expiry.unref();
    };
    values.then(done, done);
    const { event } = outcome;
    throw new UrlElicitationRequiredError(
      [{ mode: 'url', url: keyholdRequestUrl(event.id), elicitationId, message: windowNotice(gate, event, 'url') }],
      failFastMessage(gate),
    );
  }
}

type AnyHandler = (...params: unknown[]) => CallToolResult | Promise<CallToolResult>;

/** The tool error every failure becomes: text for the user and the model, the code in `_meta` for programs. */
export function toolError(text: string, code: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true, _meta: { 'keyhold/error': code } };
}

function parkingKey(tool: string, names: readonly string[]): string {
  return `${tool}\u0000${[...names].sort().join('\u0000')}`;
}

function explainCancel(error: unknown, declined: boolean, clientCancelled: boolean): unknown {
  if (!isKeyholdError(error, 'cancelled')) return error;
  if (declined) return new GateError(error, 'declined');
  if (clientCancelled) return new GateError(error, 'client_cancelled');
  return error;
}

function awaitParked(parked: Parked, signal: AbortSignal): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      parked.abort.abort();
      reject(new GateError(new KeyholdError('cancelled', 'The MCP client cancelled the tool call.'), 'client_cancelled'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    parked.values.then(
      (values) => {
        signal.removeEventListener('abort', onAbort);
        resolve(values);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Clients without elicitation get the code as a log entry, which needs the
 * logging capability. Declared only before `connect()` and only when the
 * server has no `logging/setLevel` handler (i.e. did not declare logging).
 */
function declareLogging(mcp: McpServer): void {
  if (mcp.isConnected()) return;
  const server = mcp.server;
  try {
    server.assertCanSetRequestHandler(SetLevelRequestSchema.shape.method.value);
  } catch {
    return;
  }
  server.registerCapabilities({ logging: {} });
  server.setRequestHandler(SetLevelRequestSchema, () => ({}));
}
