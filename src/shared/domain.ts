/**
 * Keyhold's domain vocabulary, once: the kinds of prompt, the answers to an
 * approval, what an approval is for, what the activity log records, and the
 * bounds of a session grant's lifetime. Each list is `as const`; schemas are
 * built from it with `z.enum(list)` (here, in bridge-protocol.ts and in
 * ipc-contract.ts), and the renderer's labels are `Record<…, string>` over
 * it, so a new entry does not compile until every place that must know it
 * does. Pure: imported by the core, the bridge package and the renderer.
 */
import { z } from 'zod';

/** The two windows a request can open. */
export const PROMPT_KINDS = ['entry', 'approval'] as const;
export type PromptKind = (typeof PROMPT_KINDS)[number];
export const promptKindSchema = z.enum(PROMPT_KINDS);

/** Allow (this request), Allow for session, Deny. */
export const APPROVAL_DECISIONS = ['allow', 'allow_session', 'deny'] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];
export const approvalDecisionSchema = z.enum(APPROVAL_DECISIONS);

/**
 * What an approval is for: `read` (the default when absent) hands the values
 * to the process; `store` writes values it sent (new or replacing the stored
 * ones); `delete` removes the stored values; `always_allow` and `remove_rule`
 * add or remove an always-allow rule (`keyhold rules add|rm`). Only `read` can
 * be allowed for a session: the core treats "Allow for session" on any other
 * as Allow once, so every change is its own question, and no grant or rule
 * skips it.
 */
export const APPROVAL_ACTIONS = ['read', 'store', 'delete', 'always_allow', 'remove_rule'] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];
export const approvalActionSchema = z.enum(APPROVAL_ACTIONS);

/** What an activity log line records (names and outcomes, never values). */
export const ACTIVITY_ACTIONS = [
  'allowed',
  'allowed_session',
  'granted_by_session',
  'allowed_by_rule',
  'denied',
  'entered',
  /** A value stored through `secrets.put` (the `keyhold set` command) after the user allowed it. */
  'stored',
  'cancelled',
  'timeout',
  'busy',
  'invalidated',
  'deleted',
  /** A value the user typed into the manager's "Add a secret". */
  'added',
  'replaced',
  'revoked',
  'revealed',
  'rule_added',
  'rule_removed',
  'error',
] as const;
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];
export const activityActionSchema = z.enum(ACTIVITY_ACTIONS);

/** One line of the activity log: who asked (server, process), for which names, what happened. Never a value. */
export const activityEntrySchema = z.object({
  time: z.number(),
  server: z.string(),
  pid: z.number().optional(),
  executable: z.string().optional(),
  /** Who asked, in one line: the verified identity ("node …/index.js, started by Claude"), or why it is unverified; for rule lines, the rule's identity. */
  identity: z.string().max(1024).optional(),
  names: z.array(z.string()),
  action: activityActionSchema,
  tool: z.string().optional(),
  /** The client's request id, to tie a decision to the request in the MCP server's own log. */
  requestId: z.string().optional(),
  /** Error code for `error` entries; for entries about a store or delete request (`denied`, …), `store` / `delete`. */
  detail: z.string().optional(),
  /** On a summary line of a counted action: how many repeats it stands for (activity-log.ts). */
  count: z.number().int().positive().optional(),
  /**
   * On a summary line of outcomes whose names the client chose (`busy`, errors,
   * `invalidated`): `names` lists the first few distinct names, and this how
   * many further names the summarised requests named.
   */
  unlistedNames: z.number().int().positive().optional(),
});
export type ActivityEntry = z.infer<typeof activityEntrySchema>;

/** A session grant lasts 1 minute … 7 days; 8 hours unless the user changes it. */
export const GRANT_TTL_MINUTES = { min: 1, max: 7 * 24 * 60, default: 8 * 60 } as const;
export const grantTtlMinutesSchema = z.number().int().min(GRANT_TTL_MINUTES.min).max(GRANT_TTL_MINUTES.max);
