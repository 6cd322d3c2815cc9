/**
 * `KeyholdMcp` for `@modelcontextprotocol/sdk` 1.x (maintenance line; 2025-era
 * protocol only). `@keyhold/bridge/mcp/v1`. The policy is the shared one
 * (secret-flow.ts); this file maps the SDK's `extra` in and the answers out:
 *
 *   const keyhold = new KeyholdMcp({ server, name: 'github' });
 *   keyhold.tool('list_repos', { description, inputSchema }, { secrets: ['GITHUB_TOKEN'] },
 *     async (args, { secrets }) => ...);
 *
 * Each call asks Keyhold for the values (granted → at once; stored → approval
 * window; missing → entry window), tells the user through the MCP client which
 * verification code the window shows (pushed URL elicitation with the http
 * link, a message-only form, or a log entry), runs the handler with the
 * values, and turns every way of not getting them into a clear tool error.
 * `failFast` tools answer a call that needs the user with `-32042` and keep
 * the Keyhold request open for the client's retry.
 */
import type { McpServer, RegisteredTool, ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AnySchema, SchemaOutput, ShapeOutput, ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { SetLevelRequestSchema, UrlElicitationRequiredError, type CallToolResult, type ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';

import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../../shared/bridge-protocol.js';
import { KeyholdError, isKeyholdError } from '../../../shared/keyhold-error.js';
import type { KeyholdClient } from '../../client.js';
import type { DiscoveryOptions } from '../../discovery.js';
import { adapterClient } from '../adapter-client.js';
import { GateError, resolveGate, runGated, type ResolvedGate, type SecretGate, type SecretValues } from '../gate.js';
import type { Suspension } from '../mcp-call.js';
import { failureText } from '../messages.js';
import { parkedRequestsFor, type ParkedRequests } from '../parked-requests.js';
import { redactDeep, secretValuesToRedact } from '../redact.js';
import { acquireSecrets, type Acquired } from '../secret-flow.js';
import { callFromExtra, type ToolExtra } from './call-context.js';

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

export class KeyholdMcp {
  /** The bridge client, for `status()` and friends. */
  readonly client: KeyholdClient;
  readonly name: string;
  private readonly mcp: McpServer;
  private readonly ownsClient: boolean;
  private readonly parked: ParkedRequests;
  private withSecretsCount = 0;

  constructor(private readonly options: KeyholdMcpOptions) {
    this.mcp = options.server;
    this.name = options.name;
    const { client, owned } = adapterClient(options);
    this.client = client;
    this.ownsClient = owned;
    this.parked = parkedRequestsFor(client);
    if (options.declareLogging !== false) declareLogging(this.mcp);
  }

  /** `server.registerTool(name, config, handler)`, with the handler gated on `gate.secrets`. */
  tool<const N extends string, InputArgs extends InputSchema = undefined, OutputArgs extends ZodRawShapeCompat | AnySchema = ZodRawShapeCompat>(
    name: string,
    config: ToolConfig<InputArgs, OutputArgs>,
    gate: SecretGate<N, ToolArgs<InputArgs>>,
    handler: SecretToolHandler<N, InputArgs>,
  ): RegisteredTool {
    const callback = this.gated(gate as unknown as SecretGate<string, unknown>, handler as AnyHandler, name, name) as unknown as ToolCallback<InputArgs>;
    return this.mcp.registerTool<OutputArgs, InputArgs>(name, config, callback);
  }

  /** A `ToolCallback` for `server.registerTool`, gated on `gate.secrets` (name the tool in `gate.tool`). */
  withSecrets<const N extends string, Args extends InputSchema = undefined>(
    gate: SecretGate<N, ToolArgs<Args>>,
    handler: SecretToolHandler<N, Args>,
  ): ToolCallback<Args> {
    this.withSecretsCount += 1;
    const key = `withSecrets#${this.withSecretsCount}:${gate.tool ?? ''}`;
    return this.gated(gate as unknown as SecretGate<string, unknown>, handler as AnyHandler, gate.tool, key) as unknown as ToolCallback<Args>;
  }

  /**
   * The values of `gate.secrets` for any handler (prompts, resources, tools with
   * dynamic needs), with the same notices; the call waits while a window is
   * open. Rejects with a KeyholdError whose message is the sentence a tool
   * error would show.
   */
  async get<const N extends string>(extra: ToolExtra, gate: SecretGate<N, undefined>): Promise<SecretValues<N>> {
    const resolved = this.resolve(gate as unknown as SecretGate<string, unknown>, undefined, gate.tool);
    try {
      const acquired = await this.acquire(resolved, extra, `get:${resolved.tool ?? ''}`, undefined, false);
      if ('suspend' in acquired) throw new KeyholdError('invalid_request', 'unexpected suspension');
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

  private gated(gate: SecretGate<string, unknown>, handler: AnyHandler, toolName: string | undefined, key: string): (...params: unknown[]) => Promise<CallToolResult> {
    return (...params) => {
      const extra = params[params.length - 1] as ToolExtra;
      const hasArgs = params.length > 1;
      const args = hasArgs ? params[0] : undefined;
      const resolved = this.resolve(gate, args, toolName);
      return runGated<string, CallToolResult, Suspension>({
        gate: resolved,
        client: this.client,
        acquire: () => this.acquire(resolved, extra, key, args, true),
        suspended,
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

  private resolve(gate: SecretGate<string, unknown>, args: unknown, tool: string | undefined): ResolvedGate {
    return resolveGate(gate, args, { serverName: this.name, tool, failFast: this.options.failFast ?? false });
  }

  private acquire(gate: ResolvedGate, extra: ToolExtra, toolKey: string, args: unknown, suspendable: boolean): Promise<Acquired> {
    return acquireSecrets({
      call: callFromExtra(this.mcp.server, extra),
      gate,
      toolKey,
      args,
      client: this.client,
      parked: this.parked,
      timeoutMs: gate.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      suspendable,
    });
  }
}

type AnyHandler = (...params: unknown[]) => CallToolResult | Promise<CallToolResult>;

/** The tool error every failure becomes: text for the user and the model, the code in `_meta` for programs. */
export function toolError(text: string, code: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true, _meta: { 'keyhold/error': code } };
}

/** SDK 1.x serves the 2025 era only: the one suspension is failFast's `-32042`. */
function suspended(suspension: Suspension): CallToolResult {
  if (suspension.kind !== 'url_required') throw new KeyholdError('invalid_request', 'SDK 1.x cannot answer input_required.');
  throw new UrlElicitationRequiredError(
    [{ mode: 'url', url: suspension.url, elicitationId: suspension.elicitationId, message: suspension.message }],
    suspension.errorMessage,
  );
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
