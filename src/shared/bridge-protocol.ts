/**
 * Keyhold bridge protocol v1: the one contract between an MCP server (through
 * `@keyhold/bridge`) and the Keyhold app. JSON text frames over a loopback
 * WebSocket. Both sides parse every frame they receive with these schemas.
 *
 * Frames:
 *   client → app   { id, type, params }                      a request
 *   app → client   { id, ok: true, result }                  its reply
 *                  { id, ok: false, error: { code, message } }
 *                  { event: "pending", data }                a window opened
 *
 * The error codes and the discovery file's fields are public contract (the
 * bridge README documents them): MCP server authors depend on them.
 */
import { z } from 'zod';

import { promptKindSchema } from './domain.js';
import { processIdentitySchema } from './process-identity.js';

export const PROTOCOL_VERSION = 1;

/** Largest frame the app accepts; a bigger one closes that connection with 1009. */
export const MAX_FRAME_BYTES = 256 * 1024;
/** Largest frame the client accepts (replies can carry several values). */
export const MAX_REPLY_BYTES = 4 * 1024 * 1024;
export const MAX_SECRET_VALUE_CHARS = 64 * 1024;
export const MAX_NAMES_PER_REQUEST = 32;
export const MAX_FIELDS_PER_REQUEST = 32;
export const MAX_GUIDE_CHARS = 32 * 1024;
export const MAX_REASON_CHARS = 500;
export const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;

/** Error codes (pinned). */
export const ERROR_CODES = [
  'denied',
  'cancelled',
  'timeout',
  'not_found',
  'invalid_request',
  'unauthorized',
  'busy',
  'unavailable',
] as const;
export const errorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

/** Secret names are keychain account names: short, printable, no separators. */
export const secretNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a secret name is 1-128 of A-Z a-z 0-9 . _ - and starts with a letter or digit');
export type SecretName = z.infer<typeof secretNameSchema>;

/** Server names become the keychain service `keyhold/<server>`. */
export const serverNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a server name is 1-64 of A-Z a-z 0-9 . _ - and starts with a letter or digit');
export type ServerName = z.infer<typeof serverNameSchema>;

export const requestIdSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9._:-]+$/, 'ids are 1-64 of A-Z a-z 0-9 . _ : -');

const nameListSchema = z
  .array(secretNameSchema)
  .min(1)
  .max(MAX_NAMES_PER_REQUEST)
  .refine((names) => new Set(names).size === names.length, 'names must not repeat');
const reasonSchema = z.string().max(MAX_REASON_CHARS);
const timeoutSchema = z.number().int().min(1).max(DEFAULT_REQUEST_TIMEOUT_MS * 4);

export const FIELD_TYPES = ['text', 'password', 'url', 'email', 'textarea'] as const;
export const fieldSpecSchema = z.strictObject({
  name: secretNameSchema,
  label: z.string().min(1).max(120),
  type: z.enum(FIELD_TYPES),
  required: z.boolean(),
  default: z.string().max(MAX_SECRET_VALUE_CHARS).optional(),
  placeholder: z.string().max(200).optional(),
  help: z.string().max(500).optional(),
  /** An ECMAScript regular expression the whole value must match. */
  pattern: z
    .string()
    .max(500)
    .refine(isValidPattern, 'pattern is not a valid regular expression')
    .optional(),
});
export type FieldSpec = z.infer<typeof fieldSpecSchema>;

function isValidPattern(source: string): boolean {
  try {
    new RegExp(`^(?:${source})$`, 'u');
    return true;
  } catch {
    return false;
  }
}

const fieldListSchema = z
  .array(fieldSpecSchema)
  .min(1)
  .max(MAX_FIELDS_PER_REQUEST)
  .refine((fields) => new Set(fields.map((f) => f.name)).size === fields.length, 'field names must not repeat');

export const helloParamsSchema = z.strictObject({
  protocol: z.literal(PROTOCOL_VERSION),
  server: z.strictObject({ name: serverNameSchema, version: z.string().max(64).optional() }),
  process: z.strictObject({ pid: z.number().int().positive() }),
});
export const getParamsSchema = z.strictObject({
  names: nameListSchema,
  reason: reasonSchema.optional(),
  tool: z.string().max(128).optional(),
  /** How to ask for names that are not stored yet (default: one password field each). */
  fields: fieldListSchema.optional(),
  guide: z.string().max(MAX_GUIDE_CHARS).optional(),
  timeoutMs: timeoutSchema.optional(),
});
export const requestParamsSchema = z.strictObject({
  fields: fieldListSchema,
  guide: z.string().max(MAX_GUIDE_CHARS).optional(),
  reason: reasonSchema.optional(),
  tool: z.string().max(128).optional(),
  timeoutMs: timeoutSchema.optional(),
});
export const statusParamsSchema = z.strictObject({ names: nameListSchema.optional() });
export const invalidateParamsSchema = z.strictObject({ names: nameListSchema, reason: reasonSchema.optional() });
export const cancelParamsSchema = z.strictObject({ id: requestIdSchema });
/** Every server's secret names (never values); no window. For the `keyhold ls` command and the like. */
export const listParamsSchema = z.strictObject({});
/**
 * Stores values for the connection's own server. Always asks the user first
 * (an approval window saying "store / replace"); no session grant or rule
 * skips that question.
 */
export const putParamsSchema = z.strictObject({
  values: z
    .record(secretNameSchema, z.string().min(1).max(MAX_SECRET_VALUE_CHARS))
    .refine((values) => Object.keys(values).length >= 1, 'give at least one value')
    .refine((values) => Object.keys(values).length <= MAX_NAMES_PER_REQUEST, `at most ${MAX_NAMES_PER_REQUEST} values at once`),
  reason: reasonSchema.optional(),
  timeoutMs: timeoutSchema.optional(),
});
/** Deletes stored secrets of the connection's own server; always asks the user first. */
export const deleteParamsSchema = z.strictObject({
  names: nameListSchema,
  reason: reasonSchema.optional(),
  timeoutMs: timeoutSchema.optional(),
});

/**
 * Always-allow rules, for the `keyhold rules` command. `rules.list` and
 * `rules.candidates` open no window. `rules.add` and `rules.remove` always
 * open an approval window that names the rule (no session grant or rule skips
 * it), and act on the connection's own server only. A rule is bound to a
 * process the app verified — one of `rules.candidates` (a live session of the
 * server other than the asking one, or the last verified process that read
 * the secret), chosen by its key: no client can send an identity.
 */
export const rulesListParamsSchema = z.strictObject({});
export const ruleCandidatesParamsSchema = z.strictObject({ name: secretNameSchema });
const candidateKeySchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'a candidate key is base64url');
export const ruleAddParamsSchema = z.strictObject({
  name: secretNameSchema,
  candidate: candidateKeySchema,
  reason: reasonSchema.optional(),
  timeoutMs: timeoutSchema.optional(),
});
export const ruleRemoveParamsSchema = z.strictObject({
  name: secretNameSchema,
  /** One rule of the secret; without it, all of the secret's rules. */
  id: z.string().min(1).max(64).optional(),
  reason: reasonSchema.optional(),
  timeoutMs: timeoutSchema.optional(),
});

/** Every request type with its params schema; the single source for dispatch. */
export const requestSchemas = {
  hello: helloParamsSchema,
  'secrets.get': getParamsSchema,
  'secrets.request': requestParamsSchema,
  'secrets.status': statusParamsSchema,
  'secrets.invalidate': invalidateParamsSchema,
  cancel: cancelParamsSchema,
  'secrets.list': listParamsSchema,
  'secrets.put': putParamsSchema,
  'secrets.delete': deleteParamsSchema,
  'rules.list': rulesListParamsSchema,
  'rules.candidates': ruleCandidatesParamsSchema,
  'rules.add': ruleAddParamsSchema,
  'rules.remove': ruleRemoveParamsSchema,
} as const;
export type RequestType = keyof typeof requestSchemas;
export type RequestParams<T extends RequestType> = z.infer<(typeof requestSchemas)[T]>;
export const REQUEST_TYPES = Object.keys(requestSchemas) as RequestType[];

export const helloResultSchema = z.strictObject({
  sessionId: z.string(),
  appVersion: z.string(),
  protocol: z.literal(PROTOCOL_VERSION),
});
export const valuesResultSchema = z.strictObject({
  values: z.record(secretNameSchema, z.string().max(MAX_SECRET_VALUE_CHARS)),
});
export const statusResultSchema = z.strictObject({
  secrets: z.array(
    z.strictObject({ name: secretNameSchema, exists: z.boolean(), invalidated: z.boolean() }),
  ),
});
export const emptyResultSchema = z.strictObject({});
export const listResultSchema = z.strictObject({
  servers: z.array(
    z.strictObject({
      name: serverNameSchema,
      secrets: z.array(z.strictObject({ name: secretNameSchema, invalidated: z.boolean() })),
    }),
  ),
});
export const putResultSchema = z.strictObject({
  /** Names that were not stored before. */
  created: z.array(secretNameSchema),
  /** Names whose previous value was replaced. */
  replaced: z.array(secretNameSchema),
});
export const deleteResultSchema = z.strictObject({ deleted: z.array(secretNameSchema) });
export const wireRuleSchema = z.strictObject({
  id: z.string(),
  server: serverNameSchema,
  name: secretNameSchema,
  createdAt: z.number(),
  /** Absent on a rule made before rules had identities: it applies to no one until re-bound. */
  identity: processIdentitySchema.optional(),
});
export type WireRule = z.infer<typeof wireRuleSchema>;
export const rulesListResultSchema = z.strictObject({ rules: z.array(wireRuleSchema) });
export const ruleCandidatesResultSchema = z.strictObject({
  candidates: z.array(
    z.strictObject({
      key: candidateKeySchema,
      source: z.enum(['session', 'last_reader']),
      pid: z.number().int().optional(),
      at: z.number().optional(),
      description: z.string(),
      identity: processIdentitySchema,
    }),
  ),
});
export type WireRuleCandidate = z.infer<typeof ruleCandidatesResultSchema>['candidates'][number];
export const ruleAddResultSchema = z.strictObject({ rule: wireRuleSchema });
export const ruleRemoveResultSchema = z.strictObject({ removed: z.array(z.string()) });

export const resultSchemas = {
  hello: helloResultSchema,
  'secrets.get': valuesResultSchema,
  'secrets.request': valuesResultSchema,
  'secrets.status': statusResultSchema,
  'secrets.invalidate': emptyResultSchema,
  cancel: emptyResultSchema,
  'secrets.list': listResultSchema,
  'secrets.put': putResultSchema,
  'secrets.delete': deleteResultSchema,
  'rules.list': rulesListResultSchema,
  'rules.candidates': ruleCandidatesResultSchema,
  'rules.add': ruleAddResultSchema,
  'rules.remove': ruleRemoveResultSchema,
} as const satisfies Record<RequestType, z.ZodType>;
export type RequestResult<T extends RequestType> = z.infer<(typeof resultSchemas)[T]>;

/** The outer shape of a client frame; params are checked against `requestSchemas[type]`. */
export const requestEnvelopeSchema = z.strictObject({
  id: requestIdSchema,
  type: z.string().max(64),
  params: z.unknown().optional(),
});
export type RequestEnvelope = z.infer<typeof requestEnvelopeSchema>;

export const errorBodySchema = z.strictObject({
  code: errorCodeSchema,
  message: z.string().max(2000),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** A request link's id: the app's prompt id (128 random bits, base64url), as in `GET /request/<id>` and `keyhold://request/<id>`. */
export const REQUEST_LINK_ID = /^[A-Za-z0-9_-]{22,64}$/;

export { PROMPT_KINDS } from './domain.js';
export const pendingEventSchema = z.strictObject({
  event: z.literal('pending'),
  data: z.strictObject({
    /** The id of the client request this window belongs to. */
    id: requestIdSchema,
    kind: promptKindSchema,
    verificationCode: z.string().regex(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/),
    /** Milliseconds since the epoch when the window gives up (timeout). */
    expiresAt: z.number().int(),
    /**
     * The app's own id of this window (128 random bits): `GET /request/<link>` on the
     * bridge port, and `keyhold://request/<link>`, bring it to the front. Optional:
     * older apps do not send it.
     */
    link: z.string().regex(REQUEST_LINK_ID).optional(),
  }),
});
export type PendingEvent = z.infer<typeof pendingEventSchema>['data'];

export const serverFrameSchema = z.union([
  z.strictObject({ id: requestIdSchema.nullable(), ok: z.literal(true), result: z.unknown() }),
  z.strictObject({ id: requestIdSchema.nullable(), ok: z.literal(false), error: errorBodySchema }),
  pendingEventSchema,
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;

/** `bridge.json` in the data directory (pinned fields: url, token, pid, version). */
export const discoveryFileSchema = z.object({
  url: z.string().regex(/^ws:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d{1,5}\/?$/, 'the bridge listens on loopback only'),
  token: z.string().min(32).max(256),
  pid: z.number().int().positive(),
  version: z.string(),
});
export type DiscoveryFile = z.infer<typeof discoveryFileSchema>;

export const DISCOVERY_FILE_NAME = 'bridge.json';
export const ENV_BRIDGE_URL = 'KEYHOLD_BRIDGE_URL';
export const ENV_BRIDGE_TOKEN = 'KEYHOLD_BRIDGE_TOKEN';
export const ENV_HOME = 'KEYHOLD_HOME';
/** `KEYHOLD_FALLBACK=env`: when the app is unreachable, read secrets from `KEYHOLD_SECRET_<SERVER>_<NAME>`. */
export const ENV_FALLBACK = 'KEYHOLD_FALLBACK';
export const ENV_SECRET_PREFIX = 'KEYHOLD_SECRET_';

/** Turns a zod failure into one line a developer can act on (paths + messages, never values). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(frame)'}: ${issue.message}`)
    .join('; ');
}
