/**
 * What an always-allow rule can be bound to: the verified identity of a live
 * session of that server, or of the last verified process that read the
 * secret. Never an identity a window or a client sends: the manager and
 * `keyhold rules add` pick one of these by its key, and the core looks it up
 * again here before saving, so the identity always comes from the kernel.
 */
import { createHash } from 'node:crypto';

import type { SecretName, ServerName } from '../../shared/bridge-protocol.js';
import { describeIdentity, type ProcessIdentity } from '../../shared/process-identity.js';
import type { ClientSession, SecretChanges } from './secret-changes.js';

export interface RuleCandidate {
  /** Stable for the same identity: what the manager or the CLI sends back to choose it. */
  readonly key: string;
  readonly source: 'session' | 'last_reader';
  /** The live session's pid, or when the last reader read the secret. */
  readonly pid?: number;
  readonly at?: number;
  readonly identity: ProcessIdentity;
  readonly description: string;
}

export function identityKey(identity: ProcessIdentity): string {
  const canonical = [identity.executable, identity.script ?? null, identity.arguments ?? null, identity.preloads ?? [], identity.package ?? null, identity.client.kind, identity.client.executable ?? null];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 22);
}

/**
 * Live verified sessions of `server` (one entry per identity), then the last
 * verified reader of the secret — listed even when a session has the same
 * identity, so "the last reader" can always be chosen as such.
 */
export function ruleCandidates(
  sessions: readonly ClientSession[],
  changes: Pick<SecretChanges, 'lastReader'>,
  server: ServerName,
  name: SecretName,
): RuleCandidate[] {
  const found = new Map<string, RuleCandidate>();
  for (const session of sessions) {
    const { identity } = session.process;
    if (session.server !== server || identity === undefined) continue;
    const key = identityKey(identity);
    if (!found.has(key)) found.set(key, { key, source: 'session', pid: session.process.pid, identity, description: describeIdentity(identity) });
  }
  const last = changes.lastReader(server, name);
  if (last !== undefined) {
    const key = identityKey(last.identity);
    return [...found.values(), { key, source: 'last_reader', at: last.at, identity: last.identity, description: describeIdentity(last.identity) }];
  }
  return [...found.values()];
}
