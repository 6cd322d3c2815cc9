/**
 * `KeyholdFastMcp`: the same gate for tools of the TypeScript `fastmcp`
 * framework (punkpeye/fastmcp), typed structurally so `@keyhold/bridge` never
 * imports fastmcp:
 *
 *   const keyhold = new KeyholdFastMcp({ name: 'github' });
 *   server.addTool({ name: 'list_repos', parameters,
 *     execute: keyhold.withSecrets({ secrets: ['GITHUB_TOKEN'], tool: 'list_repos' },
 *       async (args, { secrets, log }) => ...) });
 *
 * What fits: approval, entry, FieldSpecs, guide, reason, invalidation with
 * `SecretRejectedError`, timeouts, redaction, clear tool errors (returned as
 * `{ content, isError: true }`, which fastmcp passes through).
 *
 * What does not, and why: fastmcp's `execute(args, context)` gets neither the
 * SDK's request `extra` nor the per-client SDK `Server` (only the auth value
 * as `session`), so there is no elicitation (URL or form), no `failFast`, and
 * no related-request routing. The verification code goes out through
 * `context.log.warn` (fastmcp always declares logging) and a
 * `context.reportProgress` tick. fastmcp does not hand `execute` the call's
 * abort signal either, so a client's cancellation cannot close the window; it
 * times out instead.
 */
import type { PendingEvent } from '../../shared/bridge-protocol.js';
import type { KeyholdClient } from '../client.js';
import type { DiscoveryOptions } from '../discovery.js';
import { adapterClient } from './adapter-client.js';
import { promptOptions, resolveGate, runGated, type Invalidate, type SecretGate, type SecretValues } from './gate.js';
import { windowNotice } from './messages.js';

/** The part of fastmcp's tool context the adapter uses. */
export interface FastMcpContextLike {
  readonly log: { warn(message: string): void };
  readonly reportProgress?: (progress: { progress: number; total?: number }) => Promise<void>;
}

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

  constructor(options: KeyholdFastMcpOptions) {
    this.name = options.name;
    const { client, owned } = adapterClient(options);
    this.client = client;
    this.ownsClient = owned;
  }

  /** An `execute` for `server.addTool`, gated on `gate.secrets` (name the tool in `gate.tool`). `failFast` is ignored. */
  withSecrets<const N extends string, A, C extends FastMcpContextLike, R>(
    gate: SecretGate<N, A>,
    execute: (args: A, context: FastMcpSecretContext<C, N>) => Promise<R>,
  ): (args: A, context: C) => Promise<R | FastMcpToolError> {
    return (args, context) => {
      const resolved = { ...resolveGate(gate, args, { serverName: this.name, failFast: false }), failFast: false };
      let ticks = 0;
      const announce = (event: PendingEvent): void => {
        try {
          context.log.warn(windowNotice(resolved, event, 'log'));
          void context.reportProgress?.({ progress: ++ticks }).catch(() => undefined);
        } catch {
          // Telling the user is best effort; the window is on screen either way.
        }
      };
      return runGated<N, R | FastMcpToolError>({
        gate: resolved,
        client: this.client,
        acquire: () => this.client.get(resolved.names, { ...promptOptions(resolved), onPending: announce }),
        handler: (secrets, invalidate) => execute(args, { ...context, secrets, invalidate }),
        failure: (text) => ({ content: [{ type: 'text', text }], isError: true }),
      });
    };
  }

  /** Closes the bridge client (unless it was given in the options). */
  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }
}
