/**
 * Finding the Keyhold app: which URL to dial and which token to present.
 *
 * Order (the first that applies wins):
 *   1. `url` + `token` given to the client in code;
 *   2. `KEYHOLD_BRIDGE_URL` + `KEYHOLD_BRIDGE_TOKEN` in the environment;
 *   3. `bridge.json` in the data directory (`KEYHOLD_HOME`, else the platform's
 *      app-data dir), which the app rewrites with a fresh token on every start.
 * Each pair is all-or-nothing: one half alone is a configuration mistake and
 * fails with `invalid_request` instead of silently falling through.
 *
 * The file is read again on every connect attempt, so a client outlives app
 * restarts. A file whose `pid` has exited is treated as "not running" without
 * dialling: its port may since belong to some other program, and the stale
 * token would only earn a 401 anyway.
 *
 * Ownership check (POSIX; see `src/shared/data-dir-ownership.ts`): the data
 * directory and `bridge.json` must belong to the current user and must not be
 * writable by group or others; otherwise another local user could plant a
 * `bridge.json` pointing this server at a program of theirs (which would then
 * receive the token and impersonate the app's windows). Such a directory is
 * refused with `invalid_request` and a fix-it command, never used — the same
 * rule and messages as the Python bridge.
 *
 * No message built here ever contains a token.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

import {
  DISCOVERY_FILE_NAME,
  ENV_BRIDGE_TOKEN,
  ENV_BRIDGE_URL,
  ENV_HOME,
  describeIssues,
  discoveryFileSchema,
} from '../shared/bridge-protocol.js';
import { resolveDataDir } from '../shared/data-dir.js';
import { checkOwnership } from '../shared/data-dir-ownership.js';
import { KeyholdError } from '../shared/keyhold-error.js';
import { errnoCode, isErrno, isProcessAlive } from '../shared/node-io.js';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface DiscoveryOptions {
  /** Bridge URL given in code; needs `token` too. Takes precedence over the environment. */
  readonly url?: string;
  /** Bridge token given in code; needs `url` too. */
  readonly token?: string;
  /** Where to look for `bridge.json`; default: `KEYHOLD_HOME`, else the platform's app-data dir. */
  readonly dataDir?: string;
  /** Environment to read (default `process.env`); tests pass their own. */
  readonly env?: Environment;
}

/** Where an endpoint came from; used to explain failures (never holds the token). */
export type EndpointSource =
  | { readonly kind: 'options' }
  | { readonly kind: 'env' }
  | { readonly kind: 'file'; readonly path: string; readonly pid: number; readonly appVersion: string };

export interface BridgeEndpoint {
  readonly url: string;
  readonly token: string;
  readonly source: EndpointSource;
}

/** Finds the app's endpoint, or throws `unavailable` (app not running) / `invalid_request` (bad configuration). */
export async function discoverBridge(options: DiscoveryOptions = {}): Promise<BridgeEndpoint> {
  const env = options.env ?? process.env;
  const fromOptions = explicitPair(options.url, options.token, 'the `url` option', 'the `token` option');
  if (fromOptions !== undefined) return { ...fromOptions, source: { kind: 'options' } };
  const fromEnv = explicitPair(env[ENV_BRIDGE_URL], env[ENV_BRIDGE_TOKEN], ENV_BRIDGE_URL, ENV_BRIDGE_TOKEN);
  if (fromEnv !== undefined) return { ...fromEnv, source: { kind: 'env' } };
  return readDiscoveryFile(discoveryFilePath(options), options.dataDir === undefined);
}

/** The exact `bridge.json` path the bridge reads for these options. */
export function discoveryFilePath(options: Pick<DiscoveryOptions, 'dataDir' | 'env'> = {}): string {
  const dataDir =
    options.dataDir ?? resolveDataDir({ env: options.env ?? process.env, platform: process.platform, home: homedir() });
  return join(dataDir, DISCOVERY_FILE_NAME);
}

/**
 * The "app is not running" error: what happened, where we looked, what to do.
 * `detail` says what was found (no file, dead pid, refused connection).
 */
export function appNotRunningError(detail: string, options: { cause?: unknown } = {}): KeyholdError {
  return new KeyholdError(
    'unavailable',
    `The Keyhold app is not running: ${detail}. Start the Keyhold app, or run \`npx keyhold serve\` in a terminal.`,
    options,
  );
}

/** Says where an endpoint came from, for error messages ("from KEYHOLD_BRIDGE_URL", "from /path/bridge.json"). */
export function describeSource(source: EndpointSource): string {
  switch (source.kind) {
    case 'options':
      return 'from the KeyholdClient `url` option';
    case 'env':
      return `from ${ENV_BRIDGE_URL}`;
    case 'file':
      return `from ${source.path}`;
  }
}

/** Where discovery looks, in order, for messages ("KEYHOLD_BRIDGE_URL/KEYHOLD_BRIDGE_TOKEN, then /path/bridge.json"). */
export function describeLookup(options: DiscoveryOptions = {}): string {
  if (options.url !== undefined || options.token !== undefined) return 'the `url` and `token` options';
  return `${ENV_BRIDGE_URL}/${ENV_BRIDGE_TOKEN}, then ${discoveryFilePath(options)}`;
}

/** The "nothing answers there" detail for an endpoint whose connection was refused. */
export function nothingAnswersDetail(endpoint: BridgeEndpoint): string {
  const where = `nothing answers at ${endpoint.url} (${describeSource(endpoint.source)})`;
  return endpoint.source.kind === 'file' ? where : `${where}; the app may have restarted on another port`;
}

const urlSchema = discoveryFileSchema.shape.url;
const tokenSchema = discoveryFileSchema.shape.token;

function explicitPair(
  url: string | undefined,
  token: string | undefined,
  urlName: string,
  tokenName: string,
): { url: string; token: string } | undefined {
  const hasUrl = url !== undefined && url !== '';
  const hasToken = token !== undefined && token !== '';
  if (!hasUrl && !hasToken) return undefined;
  if (!hasUrl || !hasToken) {
    const [set, missing] = hasUrl ? [urlName, tokenName] : [tokenName, urlName];
    throw new KeyholdError(
      'invalid_request',
      `${set} is set but ${missing} is not: set both, or neither to let the bridge read ${DISCOVERY_FILE_NAME} from the Keyhold data directory.`,
    );
  }
  const urlCheck = urlSchema.safeParse(url);
  if (!urlCheck.success) {
    throw new KeyholdError('invalid_request', `${urlName} must be a loopback WebSocket URL such as ws://127.0.0.1:41234 (${describeIssues(urlCheck.error)}).`);
  }
  if (!tokenSchema.safeParse(token).success) {
    throw new KeyholdError('invalid_request', `${tokenName} does not look like a Keyhold bridge token (32-256 characters).`);
  }
  return { url: urlCheck.data, token };
}

async function readDiscoveryFile(path: string, dataDirFromEnv: boolean): Promise<BridgeEndpoint> {
  const notSet = `${ENV_BRIDGE_URL} and ${ENV_BRIDGE_TOKEN} are not set`;
  let text: string;
  try {
    await checkOwnership(dirname(path), 'data directory');
    await checkOwnership(path, 'discovery file');
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof KeyholdError) throw error;
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) {
      const hint = dataDirFromEnv ? `; if the app uses another data directory, set ${ENV_HOME} to it` : '';
      throw appNotRunningError(`found no ${path}, and ${notSet}${hint}`, { cause: error });
    }
    throw new KeyholdError('unavailable', `Could not read ${path}: ${errnoCode(error)}. Check its permissions.`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the input, which holds the token: keep it out.
    throw malformedFile(path, 'not valid JSON');
  }
  const parsed = discoveryFileSchema.safeParse(json);
  if (!parsed.success) throw malformedFile(path, describeIssues(parsed.error));
  const { url, token, pid, version } = parsed.data;
  if (!isProcessAlive(pid)) {
    throw appNotRunningError(`${path} is left over from pid ${pid}, which has exited, and ${notSet}`);
  }
  return { url, token, source: { kind: 'file', path, pid, appVersion: version } };
}

function malformedFile(path: string, problem: string): KeyholdError {
  return new KeyholdError(
    'unavailable',
    `${path} is not a valid Keyhold discovery file (${problem}). Restart the Keyhold app to rewrite it.`,
  );
}
