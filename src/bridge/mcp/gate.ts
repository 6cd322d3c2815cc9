/**
 * What a gated tool declares (`SecretGate`) and the loop every adapter runs
 * around its handler, whatever the MCP framework:
 *
 *   1. get the values (the adapter's `acquire`: the bridge call plus whatever
 *      the MCP client is told while a Keyhold window is open);
 *   2. run the handler with them;
 *   3. if the handler throws `SecretRejectedError` (the upstream API refused
 *      a value), invalidate those names in Keyhold and, once, go back to 1:
 *      the entry window opens and says the previous value was rejected;
 *   4. secret values the handler returns or throws by mistake are redacted.
 *
 * A request that ends without values becomes the adapter's tool error with a
 * sentence from messages.ts. A call that must answer before the user has
 * (modern `input_required`, legacy failFast `-32042`) is a suspension the
 * adapter turns into its SDK's answer.
 */
import { MAX_REASON_CHARS, type FieldSpec } from '../../shared/bridge-protocol.js';
import { KeyholdError, isKeyholdError } from '../../shared/keyhold-error.js';
import type { KeyholdClient } from '../client.js';
import { failureText, rejectedText, stillWaitingText, type CancelCause, type RequestSubject } from './messages.js';
import { redactDeep, redactError, secretValuesToRedact } from './redact.js';

/** Which secrets a tool needs, and how Keyhold asks for them. */
export interface SecretGate<N extends string = string, A = unknown> {
  /** The secret names the tool needs (1–32; A-Z a-z 0-9 . _ -). Stored ones need approval, missing ones are entered. */
  readonly secrets: readonly N[];
  /** How the entry window asks for names not stored yet (default: one required password field per name). */
  readonly fields?: readonly FieldSpec[];
  /** Markdown shown above the entry fields: where to create the key, which scopes it needs. */
  readonly guide?: string;
  /** Why the tool needs the secrets now; shown in the window. A function gets the tool's arguments. */
  readonly reason?: string | ((args: A) => string);
  /** The tool named in the window and the notices (default with `KeyholdMcp.tool`: the tool's name). */
  readonly tool?: string;
  /**
   * Do not hold the tool call open while the user answers: answer it with the
   * URL-elicitation-required error (-32042) and keep the Keyhold request open,
   * so the client's retry gets the user's answer. Only for clients with
   * URL-mode elicitation; with others the call waits as usual. Default false.
   */
  readonly failFast?: boolean;
  /** How long a window waits for the user, in ms (default: the helper's, 300 000). */
  readonly timeoutMs?: number;
  /** After `SecretRejectedError`, ask for a new value and run the handler once more in the same call (default true). */
  readonly retryRejected?: boolean;
}

/** A gate with the tool's arguments applied: what one call asks for. */
export interface ResolvedGate<N extends string = string> extends RequestSubject {
  readonly names: readonly N[];
  readonly fields?: readonly FieldSpec[] | undefined;
  readonly guide?: string | undefined;
  readonly reason?: string | undefined;
  readonly failFast: boolean;
  readonly timeoutMs?: number | undefined;
  readonly retryRejected: boolean;
}

/** The values handed to a handler: one per declared name ('' for an optional field the user left empty). */
export type SecretValues<N extends string> = { readonly [K in N]: string };

/**
 * Throw it from a handler when the upstream API refuses a secret (HTTP 401,
 * "invalid API key"). Keyhold marks the value as rejected; the entry window
 * asks for a new one and shows `reason`. With `retryRejected` (default) the
 * handler then runs once more with the new value, in the same tool call.
 */
export class SecretRejectedError extends Error {
  override readonly name = 'SecretRejectedError';
  readonly names: readonly string[];
  readonly reason: string | undefined;

  constructor(names: string | readonly string[], reason?: string) {
    const list = typeof names === 'string' ? [names] : [...names];
    super(`The service rejected ${list.join(', ')}${reason === undefined ? '' : ` (${reason})`}.`);
    this.names = list;
    this.reason = reason;
  }
}

export function resolveGate<N extends string, A>(
  gate: SecretGate<N, A>,
  args: A,
  defaults: { readonly serverName: string; readonly tool?: string | undefined; readonly failFast: boolean },
): ResolvedGate<N> {
  let reason: string | undefined;
  try {
    reason = typeof gate.reason === 'function' ? gate.reason(args) : gate.reason;
  } catch {
    reason = undefined;
  }
  return {
    serverName: defaults.serverName,
    names: [...gate.secrets],
    tool: gate.tool ?? defaults.tool,
    fields: gate.fields,
    guide: gate.guide,
    reason: reason === undefined ? undefined : truncate(reason, MAX_REASON_CHARS),
    failFast: gate.failFast ?? defaults.failFast,
    timeoutMs: gate.timeoutMs,
    retryRejected: gate.retryRejected ?? true,
  };
}

/** The bridge options of one `get` for this gate. */
export function promptOptions(gate: ResolvedGate): {
  reason?: string;
  tool?: string;
  fields?: readonly FieldSpec[];
  guide?: string;
  timeoutMs?: number;
} {
  return {
    ...(gate.reason === undefined ? {} : { reason: gate.reason }),
    ...(gate.tool === undefined ? {} : { tool: truncate(gate.tool, 128) }),
    ...(gate.fields === undefined ? {} : { fields: gate.fields }),
    ...(gate.guide === undefined ? {} : { guide: gate.guide }),
    ...(gate.timeoutMs === undefined ? {} : { timeoutMs: gate.timeoutMs }),
  };
}

/** A KeyholdError that carries how the helper itself ended the request, for the wording of the tool error. */
export class GateError extends KeyholdError {
  constructor(
    error: KeyholdError,
    readonly endedBy: CancelCause,
  ) {
    super(error.code, error.message, { cause: error });
  }
}

/**
 * A waiting call gave up before the user answered (`answerWithinMs`), so that
 * it can still return before the MCP client's own timeout: the Keyhold
 * request stays open for the next call. Becomes the tool error `pending`.
 */
export class StillWaitingError extends Error {
  override readonly name = 'StillWaitingError';

  constructor(readonly verificationCode: string | undefined) {
    super('The Keyhold window is still waiting for the user.');
  }
}

export interface GatedRun<N extends string, R, S = never> {
  readonly gate: ResolvedGate<N>;
  readonly client: KeyholdClient;
  /**
   * Gets the values, or a suspension (the call answers without running: modern
   * `input_required`, legacy `-32042`); rejects with a KeyholdError.
   */
  readonly acquire: () => Promise<{ readonly values: Record<string, string> } | { readonly suspend: S }>;
  /** What the call answers for a suspension. */
  readonly suspended?: (suspension: S) => R;
  /** Runs the tool with the values. */
  readonly handler: (secrets: SecretValues<N>, invalidate: Invalidate<N>) => Promise<R>;
  /** The adapter's tool error result. `code` is a protocol error code, or `rejected`. */
  readonly failure: (text: string, code: string) => R;
  /** True when the call was cancelled (no retry then). */
  readonly cancelled?: () => boolean;
}

export type Invalidate<N extends string> = (names: N | readonly N[], reason?: string) => Promise<void>;

/** Steps 1–4 above. */
export async function runGated<N extends string, R, S = never>(run: GatedRun<N, R, S>): Promise<R> {
  const { gate, client } = run;
  for (let attempt = 0; ; attempt++) {
    let values: Record<string, string>;
    try {
      const acquired = await run.acquire();
      if ('suspend' in acquired) {
        if (run.suspended === undefined) throw new Error('This adapter cannot suspend a call.');
        return run.suspended(acquired.suspend);
      }
      values = acquired.values;
    } catch (error) {
      if (error instanceof StillWaitingError) return run.failure(stillWaitingText(gate, error.verificationCode), 'pending');
      if (!isKeyholdError(error)) throw error;
      if (error.code === 'not_found') await client.invalidate(gate.names, 'the keychain no longer held it').catch(() => undefined);
      return run.failure(failureText(error, gate, error instanceof GateError ? error.endedBy : undefined), error.code);
    }
    const secrets = secretValuesToRedact(values, gate.fields);
    const invalidate: Invalidate<N> = (names, reason) =>
      client.invalidate(typeof names === 'string' ? [names] : [...names], reason === undefined ? undefined : truncate(reason, MAX_REASON_CHARS));
    try {
      return redactDeep(await run.handler(fill(gate.names, values), invalidate), secrets);
    } catch (error) {
      if (!(error instanceof SecretRejectedError)) throw redactError(error, secrets);
      const reason = error.reason === undefined ? undefined : truncate(error.reason, MAX_REASON_CHARS);
      try {
        await client.invalidate(error.names, reason);
      } catch (invalidateError) {
        if (isKeyholdError(invalidateError)) return run.failure(failureText(invalidateError, gate), invalidateError.code);
        throw invalidateError;
      }
      if (!gate.retryRejected || attempt > 0 || run.cancelled?.() === true) {
        return run.failure(rejectedText(gate, error.names, reason), 'rejected');
      }
    }
  }
}

/** Every declared name gets a string: optional fields the user left empty come back as ''. */
function fill<N extends string>(names: readonly N[], values: Record<string, string>): SecretValues<N> {
  const out: Record<string, string> = {};
  for (const name of names) out[name] = values[name] ?? '';
  return out as SecretValues<N>;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
