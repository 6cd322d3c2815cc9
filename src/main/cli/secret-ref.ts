/**
 * `<server>/<name>`: how the CLI names one secret (`keyhold set demo/token`),
 * and `keyhold://<server>/<name>`, how an environment variable refers to one
 * (`keyhold run`). Both parts follow the protocol's name rules, so a
 * reference is also a valid keychain service/account pair.
 */
import { secretNameSchema, serverNameSchema, type SecretName, type ServerName } from '../../shared/bridge-protocol.js';
import { UsageError } from './command.js';

export interface SecretRef {
  readonly server: ServerName;
  readonly name: SecretName;
}

export const REFERENCE_SCHEME = 'keyhold://';

/** `demo/token` → { server: 'demo', name: 'token' }; a UsageError that says what is wrong otherwise. */
export function parseSecretRef(text: string): SecretRef {
  const slash = text.indexOf('/');
  if (slash < 0) throw new UsageError(`"${shorten(text)}" is not <server>/<name> (for example demo/token)`);
  return checkedRef(text.slice(0, slash), text.slice(slash + 1), text);
}

export function formatRef(ref: SecretRef): string {
  return `${ref.server}/${ref.name}`;
}

/**
 * The secret an environment value refers to, or undefined when the value is
 * not a reference. `keyhold://<server>/<name>`; `keyhold://<name>` takes
 * `defaultServer` (from `--server`). A value that starts with the scheme but
 * is not a valid reference is an error, never passed on as it is.
 */
export function parseReference(variable: string, value: string, defaultServer: ServerName | undefined): SecretRef | undefined {
  if (!value.startsWith(REFERENCE_SCHEME)) return undefined;
  const path = value.slice(REFERENCE_SCHEME.length);
  const parts = path.split('/');
  if (parts.length === 1) {
    if (defaultServer === undefined) {
      throw new UsageError(`${variable}=${shorten(value)} names no server: write ${REFERENCE_SCHEME}<server>/<name>, or give --server`);
    }
    return checkedRef(defaultServer, parts[0] ?? '', `${variable}=${shorten(value)}`);
  }
  if (parts.length !== 2) throw new UsageError(`${variable}=${shorten(value)} is not ${REFERENCE_SCHEME}<server>/<name>`);
  return checkedRef(parts[0] ?? '', parts[1] ?? '', `${variable}=${shorten(value)}`);
}

function checkedRef(server: string, name: string, what: string): SecretRef {
  const serverCheck = serverNameSchema.safeParse(server);
  if (!serverCheck.success) throw new UsageError(`${what}: ${serverCheck.error.issues[0]?.message ?? 'bad server name'}`);
  const nameCheck = secretNameSchema.safeParse(name);
  if (!nameCheck.success) throw new UsageError(`${what}: ${nameCheck.error.issues[0]?.message ?? 'bad secret name'}`);
  return { server: serverCheck.data, name: nameCheck.data };
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
