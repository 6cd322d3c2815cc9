/**
 * The headless fallback: `KEYHOLD_FALLBACK=env`.
 *
 * On a machine where the Keyhold app cannot run (a CI runner, a container),
 * whoever starts the MCP server can opt in to reading secrets from the
 * environment instead: secret `<server>/<name>` comes from the variable
 * `KEYHOLD_SECRET_<SERVER>_<NAME>` (upper case, every character other than
 * A-Z and 0-9 turned into `_`), and one warning goes to stderr.
 *
 * What it can and cannot do (the rule both the bridge client and
 * `keyhold run` follow):
 * - It applies only when the app is unreachable: no discovery file, a dead
 *   app, nothing listening, no answer within the connect timeout. Once the
 *   app has answered, its decisions stand: a denial, a cancel or a timeout is
 *   never turned into a fallback read, and a running app is always asked.
 * - It grants nothing: the values come from the environment of the process
 *   itself, which whoever set the variables could already read. Nothing is
 *   read from the keychain without the app's approval.
 * - The mapping can collide (`my-server` and `my_server` give the same
 *   variable); that is the price of portable variable names.
 */
import { ENV_FALLBACK, ENV_SECRET_PREFIX } from '../shared/bridge-protocol.js';
import { KeyholdError } from '../shared/keyhold-error.js';
import type { Environment } from './discovery.js';

/** The only value of `KEYHOLD_FALLBACK` that turns the fallback on. */
export const FALLBACK_ENV_MODE = 'env';

/** `demo`, `api-token` → `KEYHOLD_SECRET_DEMO_API_TOKEN`. */
export function fallbackVariable(server: string, name: string): string {
  const part = (text: string): string => text.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return `${ENV_SECRET_PREFIX}${part(server)}_${part(name)}`;
}

export type FallbackMode =
  | { readonly kind: 'off' }
  | { readonly kind: 'env' }
  /** `KEYHOLD_FALLBACK` is set to something this version does not know. */
  | { readonly kind: 'unknown'; readonly value: string };

export function fallbackMode(env: Environment): FallbackMode {
  const value = env[ENV_FALLBACK];
  if (value === undefined || value === '') return { kind: 'off' };
  if (value === FALLBACK_ENV_MODE) return { kind: 'env' };
  return { kind: 'unknown', value: value.slice(0, 40) };
}

/** A sentence for "the app is unreachable" errors: how to opt in (naming `variables`), or what is wrong with the setting. */
export function fallbackHint(mode: FallbackMode, variables: readonly string[]): string {
  if (mode.kind === 'unknown') {
    return ` ${ENV_FALLBACK} is set to "${mode.value}", which this version does not know: the only value is "${FALLBACK_ENV_MODE}".`;
  }
  return ` On a machine without Keyhold (CI), set ${ENV_FALLBACK}=${FALLBACK_ENV_MODE} and give each secret as ${ENV_SECRET_PREFIX}<SERVER>_<NAME> (here ${variables.join(', ')}).`;
}

/**
 * The values of `names` from the environment. Every missing variable is named
 * in one `not_found` error (the variable names, never a value).
 */
export function readFallbackValues(env: Environment, server: string, names: readonly string[], unreachable: KeyholdError): Record<string, string> {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const value = env[fallbackVariable(server, name)];
    if (value === undefined || value === '') missing.push(fallbackVariable(server, name));
    else values[name] = value;
  }
  if (missing.length > 0) {
    throw new KeyholdError(
      'not_found',
      `${unreachable.message.replace(/\.$/, '')}; ${ENV_FALLBACK}=${FALLBACK_ENV_MODE} is set, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not.`,
      { cause: unreachable },
    );
  }
  return values;
}

/** The one warning printed when the fallback is used. */
export function fallbackWarning(who: string, variables: readonly string[]): string {
  return (
    `${who}: the Keyhold app is not reachable and ${ENV_FALLBACK}=${FALLBACK_ENV_MODE} is set: ` +
    `reading ${variables.join(', ')} from the environment, without asking anyone. ` +
    'Unset it to require the app.'
  );
}

/**
 * One client's view of the fallback: the mode, the values, and the warning,
 * printed at most once per client (an MCP server normally has one client).
 */
export class EnvFallback {
  private warned = false;

  constructor(
    private readonly env: Environment,
    private readonly server: string,
    private readonly warn: (message: string) => void = writeWarning,
  ) {}

  get enabled(): boolean {
    return fallbackMode(this.env).kind === 'env';
  }

  /** The values of `names` from the environment (first use: the warning). */
  values(names: readonly string[], unreachable: KeyholdError): Record<string, string> {
    const values = readFallbackValues(this.env, this.server, names, unreachable);
    if (!this.warned) {
      this.warned = true;
      this.warn(fallbackWarning(`keyhold (${this.server})`, names.map((name) => fallbackVariable(this.server, name))));
    }
    return values;
  }

  /** True when the variable for `name` is set (for `status`). */
  has(name: string): boolean {
    return (this.env[fallbackVariable(this.server, name)] ?? '') !== '';
  }

  /** `error` with the sentence on how to opt in (or what is wrong with the setting); unchanged when the fallback is on. */
  explain(error: KeyholdError): KeyholdError {
    const mode = fallbackMode(this.env);
    if (mode.kind === 'env') return error;
    return new KeyholdError(error.code, `${error.message}${fallbackHint(mode, [`${fallbackVariable(this.server, '')}<NAME>`])}`, { cause: error });
  }
}

/** Where the bridge's own warnings go unless the client is given `onWarning`: stderr, never stdout (a stdio MCP server's protocol stream). */
export function writeWarning(message: string): void {
  process.stderr.write(`${message}\n`);
}
