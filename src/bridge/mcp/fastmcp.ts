/**
 * `KeyholdFastMcp` (`@keyhold/bridge/fastmcp`): the same gate for tools of the
 * TypeScript `fastmcp` framework (punkpeye/fastmcp 4.x), typed structurally so
 * `@keyhold/bridge` never imports fastmcp:
 *
 *   const keyhold = new KeyholdFastMcp({ name: 'github' });
 *   server.addTool({ name: 'list_repos', parameters,
 *     execute: keyhold.withSecrets({ secrets: ['GITHUB_TOKEN'], tool: 'list_repos' },
 *       async (args, { secrets, log }) => ...) });
 *
 * fastmcp 4 runs on `@modelcontextprotocol/sdk` 1.x (2025-era protocol) and
 * hands `execute` a context with `elicit`, `signal`, `log` and
 * `reportProgress`, but not the client's capabilities. So the notice tries a
 * URL elicitation with the http link, falls back to a message-only form, and
 * then to a log entry — whichever the client takes; a decline in the client
 * ends the Keyhold request and closes its window. A cancelled call leaves the
 * request open for the next call (parked-requests.ts). Not available:
 * `failFast` (fastmcp turns thrown errors into tool errors, not `-32042`).
 */
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../shared/bridge-protocol.js';
import type { KeyholdClient } from '../client.js';
import type { DiscoveryOptions } from '../discovery.js';
import { adapterClient } from './adapter-client.js';
import { resolveGate, runGated, type Invalidate, type SecretGate, type SecretValues } from './gate.js';
import type { Elicitation, McpCall, Suspension } from './mcp-call.js';
import { parkedRequestsFor, type ParkedRequests } from './parked-requests.js';
import { acquireSecrets } from './secret-flow.js';

/** The part of fastmcp's tool context the adapter uses. */
export interface FastMcpContextLike {
  readonly log: { warn(message: string): void };
  readonly reportProgress?: (progress: { progress: number; total?: number; message?: string }) => Promise<void>;
  /** fastmcp ≥ 4: aborted when the client cancels the call. */
  readonly signal?: AbortSignal;
  /** fastmcp ≥ 4: `elicitation/create` for this call. */
  readonly elicit?: (params: FastMcpElicitParams, options?: { signal?: AbortSignal; timeout?: number }) => Promise<{ action: string }>;
}

/** The elicitation params the adapter sends through `context.elicit` (URL mode, or a message-only form). */
export type FastMcpElicitParams =
  | { mode: 'url'; url: string; message: string; elicitationId: string }
  | { mode: 'form'; message: string; requestedSchema: { type: 'object'; properties: Record<string, never> } };

/** What the adapter returns instead of running the tool: a fastmcp `ContentResult` with `isError`. */
export interface FastMcpToolError {
  readonly content: Array<{ type: 'text'; text: string }>;
  readonly isError: true;
}

export type FastMcpSecretContext<C, N extends string> = C & {
  readonly secrets: SecretValues<N>;
  readonly invalidate: Invalidate<N>;
};

export interface KeyholdFastMcpOptions extends DiscoveryOptions {
  /** Your server's name in Keyhold (the keychain namespace). Keep it stable. */
  readonly name: string;
  readonly version?: string;
  /** How long a window waits for the user, in ms (default 300 000). */
  readonly timeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Use this client instead of creating one; `close()` leaves it open. */
  readonly client?: KeyholdClient;
}

export class KeyholdFastMcp {
  readonly client: KeyholdClient;
  readonly name: string;
  private readonly ownsClient: boolean;
  private readonly parked: ParkedRequests;
  private readonly timeoutMs: number;

  constructor(options: KeyholdFastMcpOptions) {
    this.name = options.name;
    const { client, owned } = adapterClient(options);
    this.client = client;
    this.ownsClient = owned;
    this.parked = parkedRequestsFor(client);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** An `execute` for `server.addTool`, gated on `gate.secrets` (name the tool in `gate.tool`). `failFast` is ignored. */
  withSecrets<const N extends string, A, C extends FastMcpContextLike, R>(
    gate: SecretGate<N, A>,
    execute: (args: A, context: FastMcpSecretContext<C, N>) => Promise<R>,
  ): (args: A, context: C) => Promise<R | FastMcpToolError> {
    const key = `fastmcp:${gate.tool ?? gate.secrets.join(',')}`;
    return (args, context) => {
      const resolved = { ...resolveGate(gate, args, { serverName: this.name, failFast: false }), failFast: false };
      return runGated<N, R | FastMcpToolError, Suspension>({
        gate: resolved,
        client: this.client,
        acquire: () =>
          acquireSecrets({
            call: callFromContext(context),
            gate: resolved,
            toolKey: key,
            args,
            client: this.client,
            parked: this.parked,
            timeoutMs: resolved.timeoutMs ?? this.timeoutMs,
            suspendable: false,
          }),
        suspended: () => {
          throw new Error('fastmcp calls always wait for the window (suspendable: false)');
        },
        handler: (secrets, invalidate) => execute(args, { ...context, secrets, invalidate }),
        failure: (text) => ({ content: [{ type: 'text', text }], isError: true }),
        cancelled: () => context.signal?.aborted === true,
      });
    };
  }

  /** Closes the bridge client (unless it was given in the options). */
  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }
}

/** A 2025-era call from fastmcp's context: URL elicitation first, then a form, then the log (notices.ts falls back on failure). */
function callFromContext(context: FastMcpContextLike): McpCall {
  const elicit = context.elicit;
  let ticks = 0;
  return {
    era: 'legacy',
    abilities: { url: elicit !== undefined, form: elicit !== undefined, log: true },
    signal: context.signal ?? new AbortController().signal,
    // fastmcp adds the call's own progress token in reportProgress; any value here turns progress notices on.
    progressToken: context.reportProgress === undefined ? undefined : 'fastmcp',
    inputAnswer: 'missing',
    notify: async (notification) => {
      try {
        const data = notification.params.data ?? notification.params.message;
        if (notification.method === 'notifications/message' && typeof data === 'string') context.log.warn(data);
        if (notification.method === 'notifications/progress') await context.reportProgress?.({ progress: ++ticks });
      } catch {
        // Telling the user is best effort; the window is on screen either way.
      }
    },
    ...(elicit === undefined
      ? {}
      : {
          elicit: async (elicitation: Elicitation & { readonly elicitationId?: string }, options: { signal: AbortSignal; timeoutMs: number }) => {
            const form: FastMcpElicitParams = { mode: 'form', message: elicitation.message, requestedSchema: { type: 'object', properties: {} } };
            const requestOptions = { signal: options.signal, timeout: options.timeoutMs };
            if (elicitation.mode !== 'url') return elicit(form, requestOptions);
            try {
              return await elicit({ mode: 'url', url: elicitation.url, message: elicitation.message, elicitationId: elicitation.elicitationId ?? '' }, requestOptions);
            } catch (error) {
              if (options.signal.aborted) throw error;
              return elicit(form, requestOptions);
            }
          },
        }),
  };
}
