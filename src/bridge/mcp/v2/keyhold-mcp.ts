/**
 * `KeyholdMcp` for `@modelcontextprotocol/server` 2.x (`McpServer`,
 * `registerTool`, `serveStdio`): gates tools on secrets kept by Keyhold, in
 * both protocol eras (mcp-call.ts). Policy lives in secret-flow.ts; this file
 * only maps the SDK's context in and the gate's answers out:
 *
 *   serveStdio(() => {
 *     const server = new McpServer({ name: 'github', version: '1.0.0' });
 *     const keyhold = new KeyholdMcp({ server, name: 'github' });
 *     keyhold.tool('list_repos', { inputSchema: z.object({ org: z.string() }) }, { secrets: ['GITHUB_TOKEN'] },
 *       async ({ org }, { secrets }) => ...);
 *     return server;
 *   });
 *
 * A call that needs the user answers `input_required` on 2026-07-28 requests
 * (URL or message-only form elicitation with the verification code, a sealed
 * `requestState`), or waits while the window is open (pushed elicitations on
 * 2025-era connections; `-32042` for failFast). Values go to the handler only.
 */
import { UrlElicitationRequiredError, inputRequired, type CallToolResult, type McpServer, type ServerContext } from '@modelcontextprotocol/server';

import type { KeyholdClient } from '../../client.js';
import type { SecretGate, SecretValues } from '../gate.js';
import { GatedTools, toolErrorResult, type GatedToolsOptions } from '../gated-tools.js';
import type { Suspension } from '../mcp-call.js';
import { redactDeep, secretValuesToRedact } from '../redact.js';
import { INPUT_KEY, callFromContext } from './call-context.js';
import { declareLogging } from './logging.js';
import type { AnyHandler, GatedResult, InputSchema, SecretContext, SecretToolHandler, ToolArgs, ToolConfig } from './types.js';

export interface KeyholdMcpOptions extends GatedToolsOptions {
  /** The server whose tools need secrets. Create the helper before the server is connected (in `serveStdio`'s factory). */
  readonly server: McpServer;
}

export class KeyholdMcp {
  /** The bridge client, for `status()` and friends. */
  readonly client: KeyholdClient;
  readonly name: string;
  private readonly mcp: McpServer;
  private readonly tools: GatedTools<ServerContext, GatedResult>;

  constructor(options: KeyholdMcpOptions) {
    this.mcp = options.server;
    this.tools = new GatedTools(options, { callOf: (ctx) => callFromContext(this.mcp, ctx), suspended, failure: toolError });
    this.client = this.tools.client;
    this.name = options.name;
    if (options.declareLogging !== false) declareLogging(this.mcp);
    // serveStdio closes the server when the client goes away: take our requests and connection with it.
    const previous = this.mcp.server.onclose;
    this.mcp.server.onclose = () => {
      previous?.();
      void this.close();
    };
  }

  /** `server.registerTool(name, config, handler)`, with the handler gated on `gate.secrets`. */
  tool<const N extends string, InputArgs extends InputSchema = undefined>(
    name: string,
    config: ToolConfig<InputArgs>,
    gate: SecretGate<N, ToolArgs<InputArgs>>,
    handler: SecretToolHandler<N, InputArgs>,
  ): ReturnType<McpServer['registerTool']> {
    const callback = this.gated(gate as unknown as SecretGate<string, unknown>, handler as AnyHandler, name, name);
    return (this.mcp.registerTool as (n: string, c: unknown, cb: unknown) => ReturnType<McpServer['registerTool']>)(name, config, callback);
  }

  /** A callback for `server.registerTool`, gated on `gate.secrets` (name the tool in `gate.tool`). */
  withSecrets<const N extends string, InputArgs extends InputSchema = undefined>(
    gate: SecretGate<N, ToolArgs<InputArgs>>,
    handler: SecretToolHandler<N, InputArgs>,
  ): (...params: [ToolArgs<InputArgs>, ServerContext] | [ServerContext]) => Promise<GatedResult> {
    return this.gated(gate as unknown as SecretGate<string, unknown>, handler as AnyHandler, gate.tool, this.tools.nextCallbackKey(gate.tool)) as never;
  }

  /**
   * The values of `gate.secrets` for any handler (prompts, resources, tools with
   * dynamic needs). The call waits while a window is open, in both eras (no
   * `input_required`). Rejects with a KeyholdError whose message is the
   * sentence a tool error would show.
   */
  get<const N extends string>(ctx: ServerContext, gate: SecretGate<N, undefined>): Promise<SecretValues<N>> {
    return this.tools.get(ctx, gate);
  }

  /** Cancels open Keyhold requests and closes the bridge client (unless it was given in the options). */
  close(): Promise<void> {
    return this.tools.close();
  }

  private gated(gate: SecretGate<string, unknown>, handler: AnyHandler, toolName: string | undefined, key: string): (...params: unknown[]) => Promise<GatedResult> {
    return this.tools.gated(gate, toolName, key, async (args, hasArgs, ctx, secrets, invalidate, fields) => {
      const context: SecretContext<string> = { ...redactingContext(ctx, secretValuesToRedact(secrets, fields)), secrets, invalidate };
      return hasArgs ? handler(args, context) : handler(context);
    });
  }
}

/** The tool error every failure becomes: text for the user and the model, the code in `_meta` for programs. */
export function toolError(text: string, code: string): CallToolResult {
  return toolErrorResult(text, code);
}

/** A suspension on the wire: `input_required` (2026-07-28), or the `-32042` error (2025 era, failFast). */
function suspended(suspension: Suspension): GatedResult {
  if (suspension.kind === 'url_required') {
    throw new UrlElicitationRequiredError(
      [{ mode: 'url', url: suspension.url, elicitationId: suspension.elicitationId, message: suspension.message }],
      suspension.errorMessage,
    );
  }
  const { elicitation, requestState } = suspension;
  const request =
    elicitation.mode === 'url'
      ? inputRequired.elicitUrl({ url: elicitation.url, message: elicitation.message })
      : inputRequired.elicit({ message: elicitation.message, requestedSchema: { type: 'object', properties: {} } });
  return inputRequired({ inputRequests: { [INPUT_KEY]: request }, requestState });
}

/** The handler's context, with notifications and log data passed through the redaction net. */
function redactingContext(ctx: ServerContext, hidden: readonly string[]): ServerContext {
  if (hidden.length === 0) return ctx;
  return {
    ...ctx,
    mcpReq: {
      ...ctx.mcpReq,
      notify: (notification) => ctx.mcpReq.notify(redactDeep(notification, hidden)),
      log: (level, data, logger) => ctx.mcpReq.log(level, redactDeep(data, hidden), logger),
    },
  };
}
