/**
 * The access policy: what happens when a server connection asks for secrets.
 *
 * get(names):
 *   1. Names not stored, or stored but rejected by the server (invalidated),
 *      open the entry window; saved values go to the keychain.
 *   2. Stored names not covered by this connection's session grant open the
 *      approval window: Allow → this request; Allow for session → a grant
 *      bound to this connection; Deny → `denied`.
 *   3. Values are read from the keychain and returned; values covered by a
 *      session grant are kept in memory for the grant's life (value-cache.ts).
 *   An entry that would overwrite a stored value (one the server did not
 *   report rejected) also needs the STORE approval below, after the user
 *   saves it; a client's `default` never fills a password field.
 * put(values) / delete(names) (the `keyhold set` / `keyhold rm` commands):
 *   always one approval window naming the action ("store", "delete"), whatever
 *   session grants or rules exist: those cover reads only. "Allow for
 *   session" counts as Allow once here and leaves no grant. Deleting a name
 *   that is not stored is `not_found`, without a window.
 * invalidate(names): only for values this connection was handed (and that
 *   were not replaced since): another connection cannot end a session's
 *   grant or put its words in the next entry window.
 * list(): every server's secret names (never values), without a window.
 * Every outcome is written to the activity log (names, never values).
 * A connection only ever reads or changes its own server's secrets.
 */
import type { FieldSpec, RequestParams, SecretName, ServerName, WireRule } from '../../shared/bridge-protocol.js';
import type { ProcessIdentity } from '../../shared/process-identity.js';
import { validateEntry } from '../../shared/field-validation.js';
import { KeyholdError, isKeyholdError } from '../../shared/keyhold-error.js';
import type { ActivityAction, ApprovalAction } from '../../shared/domain.js';
import type { Broker } from './broker.js';
import type { GrantStore } from './grants.js';
import type { Prompt } from './prompter.js';
import { ruleCandidates, type RuleCandidate } from './rule-candidates.js';
import type { RuleStore } from './rules.js';
import type { Actor, ClientSession, SecretChanges } from './secret-changes.js';
import type { GrantValueCache } from './value-cache.js';
import type { Vault } from './vault.js';

export type { ClientSession };

export interface CallContext {
  /** The client's request id (for the pending event and the log). */
  readonly requestId: string;
  readonly signal: AbortSignal;
  readonly onOpen: (prompt: Prompt) => void;
}

export interface SecretAccessDeps {
  /** Read only: every change goes through `changes`. */
  readonly vault: Pick<Vault, 'has' | 'meta' | 'list' | 'servers' | 'read'>;
  readonly grants: Pick<GrantStore, 'covers'>;
  readonly rules: Pick<RuleStore, 'match' | 'list'>;
  /** The live sessions (for `rules.candidates`). */
  readonly sessions: () => readonly ClientSession[];
  readonly broker: Broker;
  readonly changes: SecretChanges;
  /** Values of session-granted reads (value-cache.ts); without it every read goes to the keychain. */
  readonly cache?: GrantValueCache;
}

type Values = Record<SecretName, string>;

export class SecretAccess {
  /** What each session was handed: per name, the `updated` time of the value it got (secrets.invalidate checks it). */
  private readonly handed = new WeakMap<ClientSession, Map<SecretName, number>>();

  constructor(private readonly deps: SecretAccessDeps) {}

  async get(session: ClientSession, params: RequestParams<'secrets.get'>, call: CallContext): Promise<Values> {
    return this.logged(session, params.names, params.tool, call, async () => {
      const { vault, grants } = this.deps;
      const missing = params.names.filter((name) => !vault.has(session.server, name) || vault.meta(session.server, name)?.invalidated);
      const entered = missing.length > 0 ? await this.collect(session, fieldsFor(missing, params.fields), params, call) : {};
      const stored = params.names.filter((name) => !missing.includes(name));
      if (stored.length > 0) {
        // A rule applies only to the verified process it was made for (rules.ts); otherwise its note tells the window why it did not.
        const rule = this.deps.rules.match(session.server, stored, session.process);
        if (rule.applies) this.log(session, stored, 'allowed_by_rule', params.tool, call.requestId);
        else if (grants.covers(session.sessionId, session.server, stored)) this.log(session, stored, 'granted_by_session', params.tool, call.requestId);
        else await this.askApproval(session, stored, params, call, 'read', rule.note);
        // Handed over from here on, even if the keychain read below fails (`not_found`: the client then reports it rejected).
        this.noteHanded(session, stored);
      }
      const values = { ...(await this.readStored(session, stored)), ...entered };
      this.deps.changes.markUsed(session.server, params.names, session.process);
      return values;
    });
  }

  /**
   * Values of stored names: from the grant-scoped cache when this session's
   * grants cover them, else from the keychain (then kept, if a grant covers them).
   */
  private async readStored(session: ClientSession, names: readonly SecretName[]): Promise<Values> {
    const { cache, grants, vault } = this.deps;
    if (names.length === 0) return {};
    if (cache === undefined) return vault.read(session.server, names);
    if (grants.covers(session.sessionId, session.server, names)) {
      const cached = cache.get(session.sessionId, names);
      if (cached !== undefined) return cached;
    }
    const epoch = cache.epoch;
    const values = await vault.read(session.server, names);
    cache.keep(session.sessionId, session.server, values, epoch);
    return values;
  }

  async request(session: ClientSession, params: RequestParams<'secrets.request'>, call: CallContext): Promise<Values> {
    const names = params.fields.map((field) => field.name);
    return this.logged(session, names, params.tool, call, () => this.collect(session, params.fields, params, call));
  }

  /** Marks values as rejected (the next read asks for new ones); only values this session was handed, as they are now. */
  async invalidate(session: ClientSession, params: RequestParams<'secrets.invalidate'>, requestId: string): Promise<void> {
    const notHanded = params.names.filter((name) => !this.wasHanded(session, name));
    if (notHanded.length > 0) {
      this.log(session, notHanded, 'error', undefined, requestId, 'invalid_request');
      throw new KeyholdError(
        'invalid_request',
        `This connection did not read the current value of ${notHanded.map((name) => `"${name}"`).join(', ')}, so it cannot report it rejected; nothing was changed.`,
      );
    }
    await this.deps.changes.invalidate(session.server, params.names, params.reason, bridgeActor(session, requestId));
  }

  private noteHanded(session: ClientSession, names: readonly SecretName[]): void {
    let handed = this.handed.get(session);
    if (handed === undefined) this.handed.set(session, (handed = new Map()));
    for (const name of names) {
      const updated = this.deps.vault.meta(session.server, name)?.updated;
      if (updated !== undefined) handed.set(name, updated);
    }
  }

  private wasHanded(session: ClientSession, name: SecretName): boolean {
    const updated = this.handed.get(session)?.get(name);
    return updated !== undefined && updated === this.deps.vault.meta(session.server, name)?.updated;
  }

  status(session: ClientSession, names: readonly SecretName[] | undefined): Array<{ name: SecretName; exists: boolean; invalidated: boolean }> {
    const { vault } = this.deps;
    const asked = names ?? vault.list(session.server).map((secret) => secret.name);
    return asked.map((name) => ({
      name,
      exists: vault.has(session.server, name),
      invalidated: vault.meta(session.server, name)?.invalidated !== undefined,
    }));
  }

  /** Every server's secret names, sorted; never values, never a window. */
  list(): Array<{ name: ServerName; secrets: Array<{ name: SecretName; invalidated: boolean }> }> {
    const { vault } = this.deps;
    return vault.servers().map((server) => ({
      name: server,
      secrets: vault.list(server).map((secret) => ({ name: secret.name, invalidated: secret.invalidated !== undefined })),
    }));
  }

  /** Stores values the client sent, once the user allows it in an approval window that says "store". */
  async put(session: ClientSession, params: RequestParams<'secrets.put'>, call: CallContext): Promise<{ created: SecretName[]; replaced: SecretName[] }> {
    const names = Object.keys(params.values);
    return this.logged(session, names, undefined, call, async () => {
      await this.askApproval(session, names, params, call, 'store');
      return this.deps.changes.store(session.server, params.values, bridgeActor(session, call.requestId));
    });
  }

  /** Deletes stored secrets, once the user allows it in an approval window that says "delete". */
  async delete(session: ClientSession, params: RequestParams<'secrets.delete'>, call: CallContext): Promise<{ deleted: SecretName[] }> {
    return this.logged(session, params.names, undefined, call, async () => {
      const unknown = params.names.filter((name) => !this.deps.vault.has(session.server, name));
      if (unknown.length > 0) {
        throw new KeyholdError('not_found', `No secret ${unknown.map((name) => `"${name}"`).join(', ')} is stored for server "${session.server}"; nothing was deleted.`);
      }
      await this.askApproval(session, params.names, params, call, 'delete');
      return this.deps.changes.delete(session.server, params.names, bridgeActor(session, call.requestId));
    });
  }

  /** Every server's always-allow rules with their identities (`keyhold rules ls`); no window. */
  listRules(): WireRule[] {
    return this.deps.rules.list().map((rule) => ({ ...rule }));
  }

  /** What a rule for this server's secret can be bound to: its other live sessions and the last verified reader (rule-candidates.ts). */
  ruleCandidates(session: ClientSession, name: SecretName): RuleCandidate[] {
    const others = this.deps.sessions().filter((s) => s.sessionId !== session.sessionId);
    return ruleCandidates(others, this.deps.changes, session.server, name);
  }

  /** `keyhold rules add`: an always-allow rule for one candidate, once the user allows it in a window that names the process. */
  async addRule(session: ClientSession, params: RequestParams<'rules.add'>, call: CallContext): Promise<{ rule: WireRule }> {
    return this.logged(session, [params.name], undefined, call, async () => {
      if (!this.deps.vault.has(session.server, params.name)) throw new KeyholdError('not_found', `No secret "${params.name}" is stored for "${session.server}".`);
      const chosen = this.ruleCandidates(session, params.name).find((candidate) => candidate.key === params.candidate);
      if (chosen === undefined) {
        throw new KeyholdError('not_found', `No verified process of "${session.server}" matches that choice any more; list them again (keyhold rules add --help).`);
      }
      await this.askApproval(session, [params.name], params, call, 'always_allow', undefined, chosen.identity);
      return { rule: { ...(await this.deps.changes.addRule(session.server, params.name, chosen.identity, bridgeActor(session, call.requestId))) } };
    });
  }

  /** `keyhold rules rm`: removes the secret's rules (or one by id), once the user allows it. */
  async removeRules(session: ClientSession, params: RequestParams<'rules.remove'>, call: CallContext): Promise<{ removed: string[] }> {
    return this.logged(session, [params.name], undefined, call, async () => {
      const rules = this.deps.rules.list().filter((r) => r.server === session.server && r.name === params.name && (params.id === undefined || r.id === params.id));
      if (rules.length === 0) throw new KeyholdError('not_found', `No always-allow rule ${params.id === undefined ? '' : `"${params.id}" `}exists for ${session.server}/${params.name}.`);
      const only = rules.length === 1 ? rules[0]?.identity : undefined;
      await this.askApproval(session, [params.name], params, call, 'remove_rule', undefined, only);
      const removed: string[] = [];
      for (const rule of rules) if ((await this.deps.changes.removeRule(rule.id, bridgeActor(session, call.requestId))) !== undefined) removed.push(rule.id);
      return { removed };
    });
  }

  /**
   * Entry window for `fields` (password fields without the client's
   * default); stores what the user saves — after a STORE approval when it
   * replaces stored values — and returns it.
   */
  private async collect(
    session: ClientSession,
    requested: readonly FieldSpec[],
    params: { guide?: string; reason?: string; tool?: string; timeoutMs?: number },
    call: CallContext,
  ): Promise<Values> {
    const fields = requested.map(withoutHiddenDefault);
    const rejected = fields.map((f) => f.name).filter((name) => this.deps.vault.meta(session.server, name)?.invalidated);
    const rejectedReason = rejected.map((name) => this.deps.vault.meta(session.server, name)?.invalidated?.reason).find(Boolean);
    const outcome = await this.deps.broker.enter(
      {
        kind: 'entry',
        ...promptBase(session, params, call.requestId),
        fields,
        guide: params.guide,
        ...(rejected.length > 0 ? { rejected: { names: rejected, ...(rejectedReason ? { reason: rejectedReason } : {}) } } : {}),
      },
      askOptions(params, call),
    );
    if (outcome.action === 'cancel') throw new KeyholdError('cancelled', 'The user cancelled the entry window.');
    const values = pickFields(fields, outcome.values);
    const problems = validateEntry(fields, values);
    if (Object.keys(problems).length > 0) {
      throw new KeyholdError('invalid_request', `The entry window returned invalid values: ${Object.values(problems).join(' ')}`);
    }
    const toStore = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ''));
    const approved = await this.approveReplacements(session, Object.keys(toStore), params, call);
    await this.deps.changes.enter(session.server, toStore, bridgeActor(session, call.requestId, params.tool), approved);
    this.noteHanded(session, Object.keys(toStore));
    return toStore;
  }

  /**
   * The STORE approval a `secrets.put` needs, for the stored values an entry
   * would replace (asked again for any that became stored meanwhile). Like
   * every change, it is asked whatever rules or session grants exist.
   */
  private async approveReplacements(
    session: ClientSession,
    names: readonly SecretName[],
    params: { reason?: string; tool?: string; timeoutMs?: number },
    call: CallContext,
  ): Promise<Set<SecretName>> {
    const approved = new Set<SecretName>();
    for (;;) {
      const asking = this.deps.changes.replacedByEntry(session.server, names).filter((name) => !approved.has(name));
      if (asking.length === 0) return approved;
      await this.askApproval(session, asking, params, call, 'store');
      for (const name of asking) approved.add(name);
    }
  }

  private async askApproval(
    session: ClientSession,
    names: readonly SecretName[],
    params: { reason?: string; tool?: string; timeoutMs?: number },
    call: CallContext,
    action: ApprovalAction = 'read',
    ruleNote?: string,
    ruleIdentity?: ProcessIdentity,
  ): Promise<void> {
    const prompt = {
      kind: 'approval' as const,
      ...promptBase(session, params, call.requestId),
      names,
      ...(action === 'read' ? {} : { action }),
      ...(ruleNote === undefined ? {} : { ruleNote }),
      ...(ruleIdentity === undefined ? {} : { ruleIdentity }),
    };
    const decision = await this.deps.broker.approve(prompt, askOptions(params, call));
    const detail = action === 'read' ? undefined : action;
    if (decision === 'deny') {
      this.log(session, names, 'denied', params.tool, call.requestId, detail);
      const what = action === 'read' ? 'access to' : `permission to ${action}`;
      throw new KeyholdError('denied', `The user denied "${session.server}" ${what} ${names.join(', ')}.`);
    }
    if (action !== 'read') {
      // A change is allowed for this request only: "Allow for session" leaves no grant behind.
      this.log(session, names, 'allowed', undefined, call.requestId, detail);
      return;
    }
    if (decision === 'allow_session') this.deps.changes.grantSession(session, names);
    this.log(session, names, decision === 'allow' ? 'allowed' : 'allowed_session', params.tool, call.requestId);
  }

  /** Runs a call; cancellations, timeouts and busy are logged here (denials where they happen). */
  private async logged<T>(
    session: ClientSession,
    names: readonly SecretName[],
    tool: string | undefined,
    call: CallContext,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const keyholdError = isKeyholdError(error)
        ? error
        : new KeyholdError('unavailable', 'The Keyhold window failed; the request was not completed.', { cause: error });
      const action: ActivityAction | undefined =
        keyholdError.code === 'cancelled' || keyholdError.code === 'timeout' || keyholdError.code === 'busy'
          ? keyholdError.code
          : keyholdError.code === 'denied'
            ? undefined
            : 'error';
      if (action !== undefined) this.log(session, names, action, tool, call.requestId, action === 'error' ? keyholdError.code : undefined);
      throw keyholdError;
    }
  }

  private log(
    session: ClientSession,
    names: readonly SecretName[],
    action: ActivityAction,
    tool: string | undefined,
    requestId: string,
    detail?: string,
  ): void {
    this.deps.changes.record(bridgeActor(session, requestId, tool), session.server, names, action, detail);
  }
}

function bridgeActor(session: ClientSession, requestId: string, tool?: string): Actor {
  return { kind: 'bridge', session, requestId, tool };
}

function promptBase(session: ClientSession, params: { reason?: string; tool?: string }, requestId: string) {
  return {
    requestId,
    server: session.server,
    serverVersion: session.serverVersion,
    process: session.process,
    reason: params.reason,
    tool: params.tool,
  };
}

function askOptions(params: { timeoutMs?: number }, call: CallContext) {
  return { signal: call.signal, onOpen: call.onOpen, timeoutMs: params.timeoutMs };
}

/** The caller's FieldSpecs for the missing names; a password field for any name it did not describe. */
function fieldsFor(missing: readonly SecretName[], specs: readonly FieldSpec[] | undefined): FieldSpec[] {
  return missing.map(
    (name) => specs?.find((spec) => spec.name === name) ?? { name, label: name, type: 'password', required: true },
  );
}

/** A password field never starts with, or falls back to, a value the client chose: its `default` is dropped. */
function withoutHiddenDefault(field: FieldSpec): FieldSpec {
  if (field.type !== 'password' || field.default === undefined) return field;
  const withoutDefault = { ...field };
  delete withoutDefault.default;
  return withoutDefault;
}

/** Only the fields asked for, as strings: a prompter cannot smuggle in other names. */
function pickFields(fields: readonly FieldSpec[], values: Readonly<Record<string, string>>): Values {
  const picked: Values = {};
  for (const field of fields) {
    const value = values[field.name];
    picked[field.name] = typeof value === 'string' ? value : (field.default ?? '');
  }
  return picked;
}
