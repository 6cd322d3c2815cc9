/**
 * Always-allow rules: "this process may read secret Y of server X without
 * asking". A server name alone is self-declared, so each rule is bound to the
 * verified identity of the process it was made for (executable, script,
 * launching MCP client: shared/process-identity.ts) and applies only to a
 * connection whose verified identity is the same. A connection without one
 * (not Linux, /proc unreadable, a shared socket, a lying pid) never gets a
 * rule's value silently: it gets the approval window, which says why.
 *
 * Only the user creates rules, in the manager window or through `keyhold
 * rules add` (which asks the user first); no prompt offers one and no bridge
 * message adds one by itself. Persisted in `rules.json`, version 2. A version 1
 * file (rules without identity) is read as rules that need re-binding: they
 * are shown, and they prompt (saying so) until the user binds them to a process.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

import { z } from 'zod';

import { secretNameSchema, serverNameSchema, type SecretName, type ServerName } from '../../shared/bridge-protocol.js';
import { identityDifferences, processIdentitySchema, UNVERIFIED_TEXT, type ProcessIdentity } from '../../shared/process-identity.js';
import { loadJson, saveJson } from './json-store.js';
import type { ProcessInfo } from './prompter.js';

export const RULES_FILE_NAME = 'rules.json';
const RULES_FILE_VERSION = 2 as const;

const ruleSchema = z.object({
  id: z.string(),
  server: serverNameSchema,
  name: secretNameSchema,
  createdAt: z.number(),
  /** The process the rule was made for; absent on a rule from a version 1 file (it applies to no one until re-bound). */
  identity: processIdentitySchema.optional(),
});
export type AlwaysAllowRule = z.infer<typeof ruleSchema>;
const rulesFileSchema = z.union([
  z.object({ version: z.literal(1), rules: z.array(ruleSchema.omit({ identity: true })) }),
  z.object({ version: z.literal(RULES_FILE_VERSION), rules: z.array(ruleSchema) }),
]);

/** Whether rules let a read through without a prompt; when they exist but do not apply, `note` says why for the approval window. */
export type RuleMatch = { readonly applies: true } | { readonly applies: false; readonly note?: string };

export class RuleStore {
  private readonly events = new EventEmitter();

  private constructor(
    private readonly dataDir: string,
    private rules: AlwaysAllowRule[],
    private readonly now: () => number,
  ) {}

  static async open(dataDir: string, now: () => number = Date.now): Promise<RuleStore> {
    const file = await loadJson(dataDir, RULES_FILE_NAME, rulesFileSchema, () => ({ version: RULES_FILE_VERSION, rules: [] }));
    return new RuleStore(dataDir, file.rules, now);
  }

  list(): AlwaysAllowRule[] {
    return [...this.rules];
  }

  /** True when some rule exists for the secret (bound or not): the manager marks it. */
  has(server: ServerName, name: SecretName): boolean {
    return this.rules.some((rule) => rule.server === server && rule.name === name);
  }

  /**
   * Rules apply when every name has a rule bound to this connection's
   * verified identity. When every name has some rule but they do not apply,
   * the note says why (unverified connection, rule without identity, or what
   * differs); when a name has no rule at all there is nothing to explain.
   */
  match(server: ServerName, names: readonly SecretName[], process: ProcessInfo): RuleMatch {
    if (names.length === 0) return { applies: false };
    const perName = names.map((name) => this.rules.filter((rule) => rule.server === server && rule.name === name));
    if (perName.some((rules) => rules.length === 0)) return { applies: false };
    const secrets = names.map((name) => `${server}/${name}`).join(', ');
    const { identity } = process;
    if (identity === undefined) {
      const why = UNVERIFIED_TEXT[process.unverifiedReason ?? 'socket_not_found'];
      return { applies: false, note: `An always-allow rule covers ${secrets}, but it does not apply: ${why}.` };
    }
    const unmatched = perName.filter((rules) => !rules.some((rule) => rule.identity !== undefined && identityDifferences(rule.identity, identity).length === 0));
    if (unmatched.length === 0) return { applies: true };
    const bound = (unmatched[0] ?? []).find((rule) => rule.identity !== undefined)?.identity;
    if (bound === undefined) {
      return { applies: false, note: `An always-allow rule covers ${secrets}, but it has no process identity yet (made by an older Keyhold): re-bind it in Keyhold's Rules tab.` };
    }
    const differences = identityDifferences(bound, identity);
    return { applies: false, note: `An always-allow rule covers ${secrets}, but it was made for another process: ${differences.join('; ')}.` };
  }

  /** A rule for `identity`; replaces the secret's rules that have no identity yet (re-binding). The same rule twice is kept once. */
  async add(server: ServerName, name: SecretName, identity: ProcessIdentity): Promise<AlwaysAllowRule> {
    const existing = this.rules.find((rule) => rule.server === server && rule.name === name && rule.identity !== undefined && identityDifferences(rule.identity, identity).length === 0);
    if (existing !== undefined) return existing;
    const rule: AlwaysAllowRule = { id: randomUUID(), server, name, createdAt: this.now(), identity };
    await this.replace([...this.rules.filter((r) => r.server !== server || r.name !== name || r.identity !== undefined), rule]);
    return rule;
  }

  async remove(ruleId: string): Promise<AlwaysAllowRule | undefined> {
    const rule = this.rules.find((r) => r.id === ruleId);
    if (rule !== undefined) await this.replace(this.rules.filter((r) => r.id !== ruleId));
    return rule;
  }

  /** Drops the rules of a deleted secret. */
  async removeFor(server: ServerName, name: SecretName): Promise<AlwaysAllowRule[]> {
    const removed = this.rules.filter((r) => r.server === server && r.name === name);
    if (removed.length > 0) await this.replace(this.rules.filter((r) => r.server !== server || r.name !== name));
    return removed;
  }

  onChange(listener: () => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  private async replace(rules: AlwaysAllowRule[]): Promise<void> {
    await saveJson(this.dataDir, RULES_FILE_NAME, { version: RULES_FILE_VERSION, rules });
    this.rules = rules;
    this.events.emit('change');
  }
}
