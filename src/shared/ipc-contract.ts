/**
 * The main ⇄ renderer contract: every IPC call and event of every window,
 * with zod schemas for what goes each way. Channel names are derived here
 * (`<window>.<method>`) and nowhere else. Main parses every request payload;
 * the preload parses every response and event before the page sees it.
 *
 * Each window can call only its own methods, and main answers only for the
 * prompt that window was opened for: the sender's identity comes from main's
 * window registry, never from the payload.
 */
import { z } from 'zod';

import { fieldSpecSchema, MAX_SECRET_VALUE_CHARS, secretNameSchema, serverNameSchema } from './bridge-protocol.js';
import { processIdentitySchema, UNVERIFIED_REASONS } from './process-identity.js';
import { activityEntrySchema, approvalActionSchema, approvalDecisionSchema, grantTtlMinutesSchema, promptKindSchema } from './domain.js';

export { approvalDecisionSchema };

export const WINDOW_KINDS = ['approval', 'entry', 'manager'] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];

const empty = z.strictObject({});

export const processViewSchema = z.strictObject({
  pid: z.number().int(),
  claimedPid: z.number().int(),
  executable: z.string().optional(),
  commandLine: z.string().optional(),
  verified: z.boolean(),
  /** The verified identity an always-allow rule could be bound to (shared/process-identity.ts). */
  identity: processIdentitySchema.optional(),
  /** Why the process has no such identity. */
  unverifiedReason: z.enum(UNVERIFIED_REASONS).optional(),
  /** Every process holding the connection, when more than one does. */
  holders: z.array(z.strictObject({ pid: z.number().int(), executable: z.string().optional() })).optional(),
});

const promptViewBase = {
  promptId: z.string(),
  server: serverNameSchema,
  serverVersion: z.string().optional(),
  process: processViewSchema,
  reason: z.string().optional(),
  tool: z.string().optional(),
  verificationCode: z.string(),
  /** Milliseconds since the epoch. */
  expiresAt: z.number(),
};

export const approvalViewSchema = z.strictObject({
  ...promptViewBase,
  names: z.array(secretNameSchema),
  /** What the approval is for; absent means `read` (see ApprovalPrompt in src/main/core/prompter.ts). */
  action: approvalActionSchema.optional(),
  /** Why an always-allow rule for these secrets did not apply. */
  ruleNote: z.string().max(4096).optional(),
  /** For a rule change (`always_allow`, `remove_rule`): the process the rule is for, as the core verified it. */
  ruleIdentity: processIdentitySchema.optional(),
});
export type ApprovalView = z.infer<typeof approvalViewSchema>;

export const entryViewSchema = z.strictObject({
  ...promptViewBase,
  fields: z.array(fieldSpecSchema),
  guide: z.string().optional(),
  rejected: z.strictObject({ names: z.array(secretNameSchema), reason: z.string().optional() }).optional(),
});
export type EntryView = z.infer<typeof entryViewSchema>;

const secretValueSchema = z.string().max(MAX_SECRET_VALUE_CHARS);

export const secretRowSchema = z.strictObject({
  name: secretNameSchema,
  created: z.number(),
  updated: z.number(),
  lastUsed: z.number().optional(),
  invalidated: z.strictObject({ at: z.number(), reason: z.string().optional() }).optional(),
  /** An always-allow rule covers this secret. */
  alwaysAllowed: z.boolean(),
});
export type SecretRow = z.infer<typeof secretRowSchema>;

export const grantRowSchema = z.strictObject({
  id: z.string(),
  server: serverNameSchema,
  pid: z.number().int(),
  names: z.array(secretNameSchema),
  createdAt: z.number(),
  expiresAt: z.number(),
});
export type GrantRow = z.infer<typeof grantRowSchema>;

export const ruleRowSchema = z.strictObject({
  id: z.string(),
  server: serverNameSchema,
  name: secretNameSchema,
  createdAt: z.number(),
  /** The process the rule applies to; absent on a rule from an older Keyhold (it prompts until re-bound). */
  identity: processIdentitySchema.optional(),
});
export type RuleRow = z.infer<typeof ruleRowSchema>;

export const settingsSchema = z.strictObject({
  /** Session grant lifetime in minutes (1 min … 7 days). */
  grantTtlMinutes: grantTtlMinutesSchema,
  startAtLogin: z.boolean(),
});
export type Settings = z.infer<typeof settingsSchema>;

/** Settings → the `keyhold` command on PATH (packaged app only; see src/main/command-install). */
export const commandStatusSchema = z.strictObject({
  state: z.enum(['installed', 'not_installed', 'conflict', 'unavailable']),
  /** Where the command is or would be. */
  path: z.string().optional(),
  /** What the user should know (not on PATH, not ours, why unavailable). */
  detail: z.string().optional(),
});
export type CommandStatus = z.infer<typeof commandStatusSchema>;

export const pendingRowSchema = z.strictObject({
  promptId: z.string(),
  kind: promptKindSchema,
  server: serverNameSchema,
  verificationCode: z.string(),
  expiresAt: z.number(),
});

export const managerStateSchema = z.strictObject({
  servers: z.array(z.strictObject({ name: serverNameSchema, secrets: z.array(secretRowSchema) })),
  grants: z.array(grantRowSchema),
  rules: z.array(ruleRowSchema),
  settings: settingsSchema,
  pending: z.array(pendingRowSchema),
});
export type ManagerState = z.infer<typeof managerStateSchema>;

/** An activity log line as the manager gets it: a summary line's `count` and `unlistedNames` are folded into `detail` ("57 more, 80 names not listed"). */
export const activityRowSchema = z.strictObject(activityEntrySchema.omit({ count: true, unlistedNames: true }).shape);
export type ActivityRow = z.infer<typeof activityRowSchema>;

const secretRef = { server: serverNameSchema, name: secretNameSchema };

/** A process an always-allow rule can be bound to (src/main/core/rule-candidates.ts); the manager sends back its key. */
export const ruleCandidateSchema = z.strictObject({
  key: z.string().max(64),
  source: z.enum(['session', 'last_reader']),
  pid: z.number().int().optional(),
  at: z.number().optional(),
  identity: processIdentitySchema,
  description: z.string(),
});
export type RuleCandidate = z.infer<typeof ruleCandidateSchema>;

/** Every invoke-style call: `request` is what the renderer sends, `response` what main returns. */
export const ipcContract = {
  approval: {
    load: { request: empty, response: approvalViewSchema },
    decide: { request: z.strictObject({ decision: approvalDecisionSchema }), response: empty },
  },
  entry: {
    load: { request: empty, response: entryViewSchema },
    submit: {
      request: z.strictObject({ values: z.record(secretNameSchema, secretValueSchema) }),
      response: z.union([z.strictObject({ ok: z.literal(true) }), z.strictObject({ ok: z.literal(false), errors: z.record(z.string(), z.string()) })]),
    },
    cancel: { request: empty, response: empty },
    openLink: { request: z.strictObject({ url: z.string().max(2048) }), response: z.strictObject({ opened: z.boolean() }) },
  },
  manager: {
    load: { request: empty, response: managerStateSchema },
    activity: {
      request: z.strictObject({ limit: z.number().int().min(1).max(2000).optional() }),
      response: z.array(activityRowSchema),
    },
    revokeGrant: { request: z.strictObject({ grantId: z.string().max(64) }), response: empty },
    revokeAll: { request: empty, response: z.strictObject({ revoked: z.number().int() }) },
    deleteSecret: { request: z.strictObject(secretRef), response: empty },
    /** A secret the user types in the manager (server, name, value); refused when that name is already stored. */
    addSecret: { request: z.strictObject({ ...secretRef, value: secretValueSchema.min(1) }), response: empty },
    replaceSecret: { request: z.strictObject({ ...secretRef, value: secretValueSchema.min(1) }), response: empty },
    revealSecret: { request: z.strictObject(secretRef), response: z.strictObject({ value: secretValueSchema }) },
    /** The processes an "Always allow" for this secret can be bound to: live sessions of its server, the last verified reader. */
    ruleCandidates: { request: z.strictObject(secretRef), response: z.array(ruleCandidateSchema) },
    /** Binds a rule to one of `ruleCandidates` (by key, looked up again by main); replaces the secret's rules without identity. */
    addRule: { request: z.strictObject({ ...secretRef, candidate: z.string().max(64) }), response: ruleRowSchema },
    removeRule: { request: z.strictObject({ ruleId: z.string().max(64) }), response: empty },
    updateSettings: { request: settingsSchema.partial().strict(), response: settingsSchema },
    focusPrompt: { request: z.strictObject({ promptId: z.string().max(64) }), response: z.strictObject({ focused: z.boolean() }) },
    commandStatus: { request: empty, response: commandStatusSchema },
    installCommand: { request: empty, response: commandStatusSchema },
    removeCommand: { request: empty, response: commandStatusSchema },
  },
} as const;

/** Main → renderer pushes. The payload says nothing secret; the window reloads what it shows. */
export const ipcEvents = {
  manager: {
    changed: empty,
  },
  /**
   * A pre-loaded ("warm", page URL hash `#warm`) prompt window waits for this
   * before its first `load`: main has made it the window of a prompt. Main
   * sets the window's prompt in its registry before sending it, so the
   * event itself carries nothing.
   */
  approval: {
    assigned: empty,
  },
  entry: {
    assigned: empty,
  },
} as const;

/**
 * Events that say what state the window is in rather than that something
 * changed: one that arrives before the page listens is kept and delivered to
 * its first listener (a warm window's page may still be mounting when main
 * assigns it a prompt).
 */
export const STICKY_EVENTS: ReadonlySet<string> = new Set(['assigned']);

/** main passes `--keyhold-window=<kind>` in webPreferences.additionalArguments; the preload reads its window kind from it. */
export const WINDOW_ARGUMENT = '--keyhold-window=';

/** The URL hash of a pre-loaded prompt window that waits for `assigned` before it loads. */
export const WARM_WINDOW_HASH = 'warm';

export type IpcContract = typeof ipcContract;
export type MethodOf<W extends WindowKind> = keyof IpcContract[W] & string;
export type EventOf<W extends WindowKind> = keyof (typeof ipcEvents)[W] & string;

type Spec<W extends WindowKind, M extends MethodOf<W>> = IpcContract[W][M] extends { request: z.ZodType; response: z.ZodType }
  ? IpcContract[W][M]
  : never;
export type IpcRequest<W extends WindowKind, M extends MethodOf<W>> = z.input<Spec<W, M>['request']>;
export type IpcResponse<W extends WindowKind, M extends MethodOf<W>> = z.output<Spec<W, M>['response']>;

/** The API a window's preload exposes as `window.keyhold`: one function per method, one `on…` per event. */
export type WindowApi<W extends WindowKind> = {
  readonly [M in MethodOf<W>]: (request: IpcRequest<W, M>) => Promise<IpcResponse<W, M>>;
} & {
  readonly [E in EventOf<W> as `on${Capitalize<E>}`]: (listener: () => void) => () => void;
};

export function invokeChannel<W extends WindowKind>(window: W, method: MethodOf<W>): string {
  return `keyhold:${window}.${method}`;
}

export function eventChannel<W extends WindowKind>(window: W, event: EventOf<W>): string {
  return `keyhold:${window}.event.${event}`;
}

export function methodsOf<W extends WindowKind>(window: W): Array<MethodOf<W>> {
  return Object.keys(ipcContract[window]) as Array<MethodOf<W>>;
}

export function eventsOf<W extends WindowKind>(window: W): Array<EventOf<W>> {
  return Object.keys(ipcEvents[window]) as Array<EventOf<W>>;
}

export function requestSchema<W extends WindowKind>(window: W, method: MethodOf<W>): z.ZodType {
  return (ipcContract[window] as Record<string, { request: z.ZodType }>)[method]?.request ?? z.never();
}

export function responseSchema<W extends WindowKind>(window: W, method: MethodOf<W>): z.ZodType {
  return (ipcContract[window] as Record<string, { response: z.ZodType }>)[method]?.response ?? z.never();
}

/** Links in a guide open in the system browser only when they are https to a host on this list or below it. */
export const EXTERNAL_LINK_ALLOWLIST_DEFAULT = ['github.com', 'docs.github.com', 'gitlab.com', 'platform.openai.com', 'console.anthropic.com', 'api.slack.com', 'developers.google.com'] as const;
