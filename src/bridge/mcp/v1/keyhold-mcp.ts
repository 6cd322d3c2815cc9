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

import { KeyholdError } from '../../../shared/keyhold-error.js';
import type { KeyholdClient } from '../../client.js';
import type { SecretGate, SecretValues } from '../gate.js';
import { GatedTools, toolErrorResult, type GatedToolsOptions } from '../gated-tools.js';
import type { Suspension } from '../mcp-call.js';
import { redactDeep, secretValuesToRedact } from '../redact.js';
import { callFromExtra, type ToolExtra } from './call-context.js';

export interface KeyholdMcpOptions extends GatedToolsOptions {
  /** The server whose tools need secrets. Create the helper before `server.connect()`. */
  readonly server: McpServer;
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
  private readonly tools: GatedTools<ToolExtra, CallToolResult>;

  constructor(options: KeyholdMcpOptions) {
    this.mcp = options.server;
    this.tools = new GatedTools(options, { callOf: (extra) => callFromExtra(this.mcp.server, extra), suspended, failure: toolError });
    this.client = this.tools.client;
    this.name = options.name;
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
    return this.gated(gate as unknown as SecretGate<string, unknown>, handler as AnyHandler, gate.tool, this.tools.nextCallbackKey(gate.tool)) as unknown as ToolCallback<Args>;
  }

  /**
   * The values of `gate.secrets` for any handler (prompts, resources, tools with
   * dynamic needs), with the same notices; the call waits while a window is
   * open. Rejects with a KeyholdError whose message is the sentence a tool
   * error would show.
   */
  get<const N extends string>(extra: ToolExtra, gate: SecretGate<N, undefined>): Promise<SecretValues<N>> {
    return this.tools.get(extra, gate);
  }

  /** Cancels open Keyhold requests and closes the bridge client (unless it was given in the options). */
  close(): Promise<void> {
    return this.tools.close();
  }

  private gated(gate: SecretGate<string, unknown>, handler: AnyHandler, toolName: string | undefined, key: string): (...params: unknown[]) => Promise<CallToolResult> {
    return this.tools.gated(gate, toolName, key, async (args, hasArgs, extra, secrets, invalidate, fields) => {
      const hidden = secretValuesToRedact(secrets, fields);
      const context: SecretToolExtra<string> = {
        ...extra,
        secrets,
        invalidate,
        sendNotification: (notification) => extra.sendNotification(redactDeep(notification, hidden)),
        sendRequest: ((request, schema, options) => extra.sendRequest(redactDeep(request, hidden), schema, options)) as ToolExtra['sendRequest'],
      };
      return hasArgs ? handler(args, context) : handler(context);
    });
  }
}

type AnyHandler = (...params: unknown[]) => CallToolResult | Promise<CallToolResult>;

/** The tool error every failure becomes: text for the user and the model, the code in `_meta` for programs. */
export function toolError(text: string, code: string): CallToolResult {
  return toolErrorResult(text, code);
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
