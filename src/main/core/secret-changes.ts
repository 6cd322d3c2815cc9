/**
 * The one owner of every change to a secret, a grant or a rule, and of every
 * activity line: the bridge path (secret-access.ts), the manager's handlers
 * (ui-handlers.ts) and the tray all call these use cases, and none of them
 * calls a mutating method of the vault, the grant store, the rule store or
 * the activity log itself (test/unit/secret-changes.test.ts checks every
 * call in src/ with the type checker).
 *
 * Each use case does the whole change once — keychain + index (the vault),
 * session grants of the names, always-allow rules of deleted names, one
 * activity line — so the callers cannot drift apart: the same change logs
 * the same line whoever asked (the actor only adds who: the bridge
 * session's pid, executable, request id and tool). Cached values of session
 * grants follow by themselves: the value cache listens to vault writes and
 * ended grants (value-cache.ts).
 *
 * The `keyhold` CLI is a bridge client (`keyhold set` sends `secrets.put`),
 * so its changes arrive as a bridge actor.
 */
import type { SecretName, ServerName } from '../../shared/bridge-protocol.js';
import type { ActivityAction } from '../../shared/domain.js';
import { KeyholdError } from '../../shared/keyhold-error.js';
import type { ActivityEntry, ActivityLog } from './activity-log.js';
import type { GrantStore, SessionGrant } from './grants.js';
import { describeIdentity, type ProcessIdentity } from '../../shared/process-identity.js';
import type { ProcessInfo } from './prompter.js';
import type { AlwaysAllowRule, RuleStore } from './rules.js';
import type { SettingsStore } from './settings-store.js';
import type { Vault } from './vault.js';

/** One authenticated bridge connection after `hello`. */
export interface ClientSession {
  readonly sessionId: string;
  readonly server: ServerName;
  readonly serverVersion?: string | undefined;
  readonly process: ProcessInfo;
}

/** Who makes a change: a bridge request (the MCP server or the CLI), the manager window, or the tray menu. */
export type Actor =
  | { readonly kind: 'bridge'; readonly session: ClientSession; readonly requestId: string; readonly tool?: string | undefined }
  | { readonly kind: 'manager' }
  | { readonly kind: 'tray' };

export const MANAGER: Actor = { kind: 'manager' };
export const TRAY: Actor = { kind: 'tray' };

export interface SecretChangesDeps {
  readonly vault: Vault;
  readonly grants: GrantStore;
  readonly rules: RuleStore;
  readonly activity: ActivityLog;
  readonly settings: SettingsStore;
}

type Values = Readonly<Record<SecretName, string>>;

export class SecretChanges {
  /** The last verified identity that read each secret (`server/name`), since the app started: what "Always allow" can bind to. */
  private readonly lastReaders = new Map<string, { readonly identity: ProcessIdentity; readonly at: number }>();

  constructor(private readonly deps: SecretChangesDeps) {
    deps.settings.onChange(() => deps.grants.setTtl(deps.settings.get().grantTtlMinutes * 60_000));
  }

  /** Stores values sent by a client (`secrets.put`): new ones log `stored`, the others `replaced` (their grants end). */
  async store(server: ServerName, values: Values, actor: Actor): Promise<{ created: SecretName[]; replaced: SecretName[] }> {
    const { created, replaced } = await this.write(server, values);
    if (created.length > 0) this.record(actor, server, created, 'stored');
    if (replaced.length > 0) this.record(actor, server, replaced, 'replaced');
    return { created, replaced };
  }

  /**
   * Stores values the user typed into an entry window: one `entered` line for
   * all of them. A value that would replace a stored one (not one the server
   * reported rejected) is written only when it is in `approvedReplacements` —
   * the names a STORE approval allowed for this entry (`replacedByEntry`);
   * otherwise nothing is written and the entry fails `denied`.
   */
  async enter(server: ServerName, values: Values, actor: Actor, approvedReplacements: ReadonlySet<SecretName> = new Set()): Promise<void> {
    const unapproved = this.replacedByEntry(server, Object.keys(values)).filter((name) => !approvedReplacements.has(name));
    if (unapproved.length > 0) {
      throw new KeyholdError('denied', `Saving the entry would replace the stored ${unapproved.join(', ')} without the user's approval; nothing was saved.`);
    }
    await this.write(server, values);
    if (Object.keys(values).length > 0) this.record(actor, server, Object.keys(values), 'entered');
  }

  /**
   * The names an entry would overwrite: stored, and not reported rejected by
   * the server (re-entering a rejected value is what the entry window is
   * for, and it says so). Each needs the STORE approval a `secrets.put` needs.
   */
  replacedByEntry(server: ServerName, names: readonly SecretName[]): SecretName[] {
    const { vault } = this.deps;
    return names.filter((name) => vault.has(server, name) && vault.meta(server, name)?.invalidated === undefined);
  }

  /** Adds one value the user typed into the manager's "Add a secret": logged `added`. False when the name is already stored (nothing changes). */
  async add(server: ServerName, name: SecretName, value: string, actor: Actor): Promise<boolean> {
    if (this.deps.vault.has(server, name)) return false;
    await this.write(server, { [name]: value });
    this.record(actor, server, [name], 'added');
    return true;
  }

  /** Replaces one stored value (the manager's Replace); a name that is not stored is `not_found`. */
  async replace(server: ServerName, name: SecretName, value: string, actor: Actor): Promise<void> {
    this.requireStored(server, name);
    await this.store(server, { [name]: value }, actor);
  }

  /**
   * Deletes stored secrets: keychain and index, their grants and their
   * always-allow rules (a rule must not silently cover a value stored later
   * under the same name). Logs `deleted` for the names that were really there.
   */
  async delete(server: ServerName, names: readonly SecretName[], actor: Actor): Promise<{ deleted: SecretName[] }> {
    const { vault, grants, rules } = this.deps;
    const deleted: SecretName[] = [];
    for (const name of names) {
      if (await vault.remove(server, name)) deleted.push(name);
      await rules.removeFor(server, name);
      // A value stored later under the name is not "the secret that process read".
      this.lastReaders.delete(`${server}/${name}`);
    }
    grants.revokeNames(server, names);
    if (deleted.length > 0) this.record(actor, server, deleted, 'deleted');
    return { deleted };
  }

  /** Marks stored values as rejected (the next read asks for new ones) and ends their grants. */
  async invalidate(server: ServerName, names: readonly SecretName[], reason: string | undefined, actor: Actor): Promise<SecretName[]> {
    const marked = await this.deps.vault.invalidate(server, names, reason);
    this.deps.grants.revokeNames(server, names);
    if (marked.length > 0) this.record(actor, server, marked, 'invalidated');
    return marked;
  }

  /** "Allow for session": a grant bound to this bridge connection. */
  grantSession(session: ClientSession, names: readonly SecretName[]): SessionGrant {
    return this.deps.grants.grant(session.sessionId, session.server, session.process.pid, names);
  }

  /** The connection closed: its grants end with it (not logged, as before: the user did nothing). */
  endSession(sessionId: string): void {
    this.deps.grants.endSession(sessionId);
  }

  /** Ends one session grant; false when it had already ended. */
  revokeGrant(grantId: string, actor: Actor): boolean {
    const grant = this.deps.grants.list().find((g) => g.id === grantId);
    if (grant === undefined || !this.deps.grants.revoke(grant.id)) return false;
    this.recordGrantEnd(actor, grant);
    return true;
  }

  /** "Lock": ends every session grant, one `revoked` line each. Returns how many there were. */
  revokeAll(actor: Actor): number {
    for (const grant of this.deps.grants.list()) this.recordGrantEnd(actor, grant);
    return this.deps.grants.revokeAll();
  }

  /**
   * An always-allow rule for a stored secret, bound to `identity` (the
   * manager's "Always allow", or `keyhold rules add` once the user approved it).
   * Replaces the secret's rules that have no identity yet. The activity line
   * names the identity.
   */
  async addRule(server: ServerName, name: SecretName, identity: ProcessIdentity, actor: Actor): Promise<AlwaysAllowRule> {
    this.requireStored(server, name);
    const rule = await this.deps.rules.add(server, name, identity);
    this.record(actor, server, [name], 'rule_added', undefined, describeIdentity(identity));
    return rule;
  }

  async removeRule(ruleId: string, actor: Actor): Promise<AlwaysAllowRule | undefined> {
    const rule = await this.deps.rules.remove(ruleId);
    if (rule !== undefined) this.record(actor, rule.server, [rule.name], 'rule_removed', undefined, rule.identity === undefined ? undefined : describeIdentity(rule.identity));
    return rule;
  }

  /** The last verified process that read the secret since the app started, if any. */
  lastReader(server: ServerName, name: SecretName): { readonly identity: ProcessIdentity; readonly at: number } | undefined {
    return this.lastReaders.get(`${server}/${name}`);
  }

  /** The manager's explicit Reveal: reads the value and logs that it was shown. */
  async reveal(server: ServerName, name: SecretName, actor: Actor): Promise<string> {
    const values = await this.deps.vault.read(server, [name]);
    this.record(actor, server, [name], 'revealed');
    return values[name] ?? '';
  }

  /** Settings the manager changes; a new grant TTL applies to grants made from now on. */
  async updateSettings(patch: { readonly grantTtlMinutes?: number }): Promise<void> {
    if (patch.grantTtlMinutes !== undefined) await this.deps.settings.update({ grantTtlMinutes: patch.grantTtlMinutes });
  }

  /** Records that stored values were read (the index's last-used time), and by which verified process. */
  markUsed(server: ServerName, names: readonly SecretName[], reader?: ProcessInfo): void {
    this.deps.vault.markUsed(server, names);
    const identity = reader?.identity;
    if (identity !== undefined) for (const name of names) this.lastReaders.set(`${server}/${name}`, { identity, at: Date.now() });
  }

  /**
   * One activity line: a decision or outcome of a request (allowed, denied,
   * cancelled, …) or a change above. `detail` is an error code or the
   * approval's action (`store`, `delete`); never a value.
   */
  record(actor: Actor, server: ServerName, names: readonly SecretName[], action: ActivityAction, detail?: string, identity?: string): void {
    // The session id is not written; repeats of an unattended outcome are counted per session (activity-log.ts).
    const context = actor.kind === 'bridge' ? { sessionId: actor.session.sessionId } : {};
    void this.deps.activity.append({ ...actorFields(actor), server, names: [...names], action, detail, ...(identity === undefined ? {} : { identity }) }, context);
  }

  /** Called after any change the UI shows: secrets, grants (also ended by disconnect or expiry), rules, settings. */
  onChange(listener: () => void): () => void {
    const { vault, grants, rules, settings } = this.deps;
    const offs = [vault.onChange(listener), grants.onChange(listener), rules.onChange(listener), settings.onChange(listener)];
    return () => offs.forEach((off) => off());
  }

  private async write(server: ServerName, values: Values): Promise<{ created: SecretName[]; replaced: SecretName[] }> {
    const names = Object.keys(values);
    const replaced = names.filter((name) => this.deps.vault.has(server, name));
    const created = names.filter((name) => !replaced.includes(name));
    await this.deps.vault.put(server, values);
    this.deps.grants.revokeNames(server, replaced);
    return { created, replaced };
  }

  private requireStored(server: ServerName, name: SecretName): void {
    if (!this.deps.vault.has(server, name)) throw new KeyholdError('not_found', `No secret "${name}" is stored for "${server}".`);
  }

  private recordGrantEnd(actor: Actor, grant: SessionGrant): void {
    void this.deps.activity.append({ ...actorFields(actor), pid: grant.pid, server: grant.server, names: [...grant.names], action: 'revoked' });
  }
}

/** What the activity line says about who acted: a bridge request names its process, request and tool. */
function actorFields(actor: Actor): Pick<ActivityEntry, 'pid' | 'executable' | 'identity' | 'requestId' | 'tool'> {
  if (actor.kind !== 'bridge') return {};
  const { session, requestId, tool } = actor;
  return { pid: session.process.pid, executable: session.process.executable, identity: processSummary(session.process), requestId, tool };
}

/** The activity log's word on who asked: the verified identity, or why there is none. */
export function processSummary(process: ProcessInfo): string {
  if (process.identity !== undefined) return describeIdentity(process.identity);
  return `unverified (${process.unverifiedReason ?? 'unknown'})`;
}
