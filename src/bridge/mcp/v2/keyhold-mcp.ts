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
import { UrlElicitationRequiredError, inputRequired, type CallToolResult, type InputRequiredResult, type McpServer, type ServerContext } from '@modelcontextprotocol/server';

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
import { INPUT_KEY, callFromContext } from './call-context.js';
import { declareLogging } from './logging.js';
import type { AnyHandler, GatedResult, InputSchema, SecretContext, SecretToolHandler, ToolArgs, ToolConfig } from './types.js';

export interface KeyholdMcpOptions extends DiscoveryOptions {
  /** The server whose tools need secrets. Create the helper before the server is connected (in `serveStdio`'s factory). */
  readonly server: McpServer;
  /** Your server's name in Keyhold: shown in every window and the keychain namespace. Keep it stable across releases. */
  readonly name: string;
  /** Shown in the windows. */
  readonly version?: string;
  /** Default of every gate's `failFast` (legacy-era URL clients only; default false). */
  readonly failFast?: boolean;
  /** How long a window waits for the user, in ms (default 300 000, at most 1 200 000). */
  readonly timeoutMs?: number;
  /** How long a call waits for the app to be reachable (default 5 000 ms). */
  readonly connectTimeoutMs?: number;
  /** Declare the (2025-era) logging capability when the server has not, so clients without elicitation see the code in a log entry (default true). */
  readonly declareLogging?: boolean;
  /**
   * Use this client instead of creating one (its server name must be `name`); `close()` leaves it open.
   * Share one client between the servers of one process (an HTTP factory): they then share open requests too.
   */
  readonly client?: KeyholdClient;
}

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
    this.withSecretsCount += 1;
    const key = `withSecrets#${this.withSecretsCount}:${gate.tool ?? ''}`;
    return this.gated(gate as unknown as SecretGate<string, unknown>, handler as AnyHandler, gate.tool, key) as never;
  }

  /**
   * The values of `gate.secrets` for any handler (prompts, resources, tools with
   * dynamic needs). The call waits while a window is open, in both eras (no
   * `input_required`). Rejects with a KeyholdError whose message is the
   * sentence a tool error would show.
   */
  async get<const N extends string>(ctx: ServerContext, gate: SecretGate<N, undefined>): Promise<SecretValues<N>> {
    const resolved = this.resolve(gate as unknown as SecretGate<string, unknown>, undefined, gate.tool);
    try {
      const acquired = await this.acquire(resolved, ctx, `get:${resolved.tool ?? ''}`, undefined, false);
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

  private gated(gate: SecretGate<string, unknown>, handler: AnyHandler, toolName: string | undefined, key: string): (...params: unknown[]) => Promise<GatedResult> {
    return (...params) => {
      const ctx = params[params.length - 1] as ServerContext;
      const hasArgs = params.length > 1;
      const args = hasArgs ? params[0] : undefined;
      const resolved = this.resolve(gate, args, toolName);
      let attempts = 0;
      return runGated<string, GatedResult, Suspension>({
        gate: resolved,
        client: this.client,
        acquire: () => this.acquire(resolved, ctx, key, args, true, attempts++ > 0),
        suspended,
        handler: async (secrets, invalidate) => {
          const context: SecretContext<string> = { ...redactingContext(ctx, secretValuesToRedact(secrets, resolved.fields)), secrets, invalidate };
          return hasArgs ? handler(args, context) : handler(context);
        },
        failure: toolError,
        cancelled: () => ctx.mcpReq.signal.aborted,
      });
    };
  }

  private resolve(gate: SecretGate<string, unknown>, args: unknown, tool: string | undefined): ResolvedGate {
    return resolveGate(gate, args, { serverName: this.name, tool, failFast: this.options.failFast ?? false });
  }

  private acquire(gate: ResolvedGate, ctx: ServerContext, toolKey: string, args: unknown, suspendable: boolean, again = false): Promise<Acquired> {
    const call = callFromContext(this.mcp, ctx);
    return acquireSecrets({
      // A second round in the same call (after SecretRejectedError) starts afresh: the retry's state is used up.
      call: again ? { ...call, requestState: undefined, inputAnswer: 'missing' } : call,
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

/** The tool error every failure becomes: text for the user and the model, the code in `_meta` for programs. */
export function toolError(text: string, code: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true, _meta: { 'keyhold/error': code } };
}

/** A suspension on the wire: `input_required` (2026-07-28), or the `-32042` error (2025 era, failFast). */
function suspended(suspension: Suspension): InputRequiredResult {
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
