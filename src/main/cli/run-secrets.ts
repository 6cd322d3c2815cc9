/**
 * Getting the values `keyhold run` needs: from the app, one window per server
 * for all of that server's names; or, only when the app is unreachable and
 * `KEYHOLD_FALLBACK=env` is set, from `KEYHOLD_SECRET_<SERVER>_<NAME>`.
 *
 * The fallback decision is made once, before any request: if the app answers
 * then, every value comes from the app, and its answer stands (a denial,
 * cancel or timeout fails the run; it never falls back). See env-fallback.ts.
 */
import type { KeyholdClient } from '../../bridge/client.js';
import { discoverBridge } from '../../bridge/discovery.js';
import { fallbackHint, fallbackMode, fallbackVariable, fallbackWarning, readFallbackValues } from '../../bridge/env-fallback.js';
import { ENV_FALLBACK, MAX_REASON_CHARS } from '../../shared/bridge-protocol.js';
import { KeyholdError, isKeyholdError } from '../../shared/keyhold-error.js';
import { cliClient, pendingNotice } from './app-client.js';
import type { CliIo } from './command.js';
import { namesByServer, type Env, type EnvReference } from './run-env.js';
import { formatRef } from './secret-ref.js';

/** Values keyed by `server/name`. */
export type ResolvedValues = Map<string, string>;

export async function resolveSecrets(references: readonly EnvReference[], env: Env, io: CliIo, commandLine: string): Promise<ResolvedValues> {
  const byServer = namesByServer(references);
  // The clients never fall back on their own: the decision is made once, below, before any request.
  const clientEnv: Env = { ...env };
  delete clientEnv[ENV_FALLBACK];
  const clients = new Map<string, KeyholdClient>([...byServer.keys()].map((server) => [server, cliClient(server, { ...io, env: clientEnv })]));
  try {
    const first = clients.values().next().value;
    const unreachable = first === undefined ? undefined : await unreachableReason(first, env);
    if (unreachable !== undefined) return fromEnvironment(byServer, env, io, unreachable);
    const values: ResolvedValues = new Map();
    for (const [server, names] of byServer) {
      const client = clients.get(server);
      if (client === undefined) continue;
      const got = await client.get(names, { reason: reasonFor(server, references, commandLine), onPending: pendingNotice(io, 'run') });
      for (const name of names) {
        const value = got[name];
        if (value === undefined) throw new KeyholdError('unavailable', `The Keyhold app returned no value for ${server}/${name}.`);
        values.set(`${server}/${name}`, value);
      }
    }
    return values;
  } finally {
    await Promise.all([...clients.values()].map((client) => client.close()));
  }
}

/** Why the app cannot be reached (no discovery file or a dead app: at once; else a failed connect), or undefined when it answers. */
async function unreachableReason(client: KeyholdClient, env: Env): Promise<KeyholdError | undefined> {
  try {
    await discoverBridge({ env });
    await client.connect();
    return undefined;
  } catch (error) {
    if (isKeyholdError(error, 'unavailable')) return error;
    throw error;
  }
}

function fromEnvironment(byServer: ReadonlyMap<string, readonly string[]>, env: Env, io: CliIo, unreachable: KeyholdError): ResolvedValues {
  const mode = fallbackMode(env);
  const variables = [...byServer].flatMap(([server, names]) => names.map((name) => fallbackVariable(server, name)));
  if (mode.kind !== 'env') throw new KeyholdError('unavailable', `${unreachable.message}${fallbackHint(mode, variables)}`, { cause: unreachable });
  const values: ResolvedValues = new Map();
  for (const [server, names] of byServer) {
    const got = readFallbackValues(env, server, names, unreachable);
    for (const name of names) values.set(`${server}/${name}`, got[name] ?? '');
  }
  io.stderr.write(`${fallbackWarning('keyhold run', variables)}\n`);
  return values;
}

/** What the approval window says: the command, and which variables get which secrets. */
function reasonFor(server: string, references: readonly EnvReference[], commandLine: string): string {
  const mapping = references
    .filter((reference) => reference.ref.server === server)
    .map((reference) => `${reference.variable}=${formatRef(reference.ref)}`)
    .join(', ');
  const text = `keyhold run: start \`${commandLine}\` with ${mapping}`;
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS - 1)}…` : text;
}
