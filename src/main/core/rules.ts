/**
 * Always-allow rules: "server X may read secret Y without asking". Only the
 * user creates them, in the manager window; no prompt offers one and no
 * bridge message can add one. Persisted in `rules.json`.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

import { z } from 'zod';

import { secretNameSchema, serverNameSchema, type SecretName, type ServerName } from '../../shared/bridge-protocol.js';
import { loadJson, saveJson } from './json-store.js';

export const RULES_FILE_NAME = 'rules.json';

const ruleSchema = z.object({ id: z.string(), server: serverNameSchema, name: secretNameSchema, createdAt: z.number() });
export type AlwaysAllowRule = z.infer<typeof ruleSchema>;
const rulesFileSchema = z.object({ version: z.literal(1), rules: z.array(ruleSchema) });

export class RuleStore {
  private readonly events = new EventEmitter();

  private constructor(
    private readonly dataDir: string,
    private rules: AlwaysAllowRule[],
    private readonly now: () => number,
  ) {}

  static async open(dataDir: string, now: () => number = Date.now): Promise<RuleStore> {
    const file = await loadJson(dataDir, RULES_FILE_NAME, rulesFileSchema, () => ({ version: 1 as const, rules: [] }));
    return new RuleStore(dataDir, file.rules, now);
  }

  list(): AlwaysAllowRule[] {
    return [...this.rules];
  }

  covers(server: ServerName, names: readonly SecretName[]): boolean {
    return names.length > 0 && names.every((name) => this.rules.some((rule) => rule.server === server && rule.name === name));
  }

  async add(server: ServerName, name: SecretName): Promise<AlwaysAllowRule> {
    const existing = this.rules.find((rule) => rule.server === server && rule.name === name);
    if (existing !== undefined) return existing;
    const rule = { id: randomUUID(), server, name, createdAt: this.now() };
    await this.replace([...this.rules, rule]);
    return rule;
  }

  async remove(ruleId: string): Promise<AlwaysAllowRule | undefined> {
    const rule = this.rules.find((r) => r.id === ruleId);
    if (rule !== undefined) await this.replace(this.rules.filter((r) => r.id !== ruleId));
    return rule;
  }

  /** Drops the rules of a deleted secret. */
  async removeFor(server: ServerName, name: SecretName): Promise<void> {
    if (this.rules.some((r) => r.server === server && r.name === name)) {
      await this.replace(this.rules.filter((r) => r.server !== server || r.name !== name));
    }
  }

  onChange(listener: () => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  private async replace(rules: AlwaysAllowRule[]): Promise<void> {
    await saveJson(this.dataDir, RULES_FILE_NAME, { version: 1, rules });
    this.rules = rules;
    this.events.emit('change');
  }
}
