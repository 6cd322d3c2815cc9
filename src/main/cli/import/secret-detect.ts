/**
 * Which values in an MCP server's config look like secrets. Three signals,
 * any one is enough:
 * - the name: a word of it is KEY, TOKEN, SECRET, PASSWORD, PAT, … (split on
 *   `_`, `-`, `.` and camelCase, so PATH or MONKEY do not match);
 * - the value starts with a known credential prefix (`sk-`, `ghp_`, `AKIA`, …);
 * - the value is long, has no spaces and is random-looking (Shannon entropy).
 * Values that are references already (`keyhold://…`, `${input:…}`, `${env:…}`,
 * `$VAR`) and plain numbers/booleans/paths/URLs without credentials are never
 * secrets. The reason says which signal matched, never the value.
 */

export type SecretReason = 'name' | 'prefix' | 'entropy';

const SECRET_WORDS = new Set([
  'KEY', 'APIKEY', 'TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'PASS', 'PWD', 'PAT', 'CREDENTIAL', 'CREDENTIALS', 'AUTH', 'BEARER', 'PRIVATE', 'SESSION', 'COOKIE',
]);
/** Names that contain a secret word but hold no secret. */
const NOT_SECRET_NAMES = /(^|_)(PUBLIC_KEY|KEYCHAIN)$|[_-](FILE|PATH|DIR|URL|URI|ID|ENDPOINT|HOST|PORT|TYPE)$/i;

export const KNOWN_PREFIXES: readonly string[] = [
  'sk-', 'sk_live_', 'sk_test_', 'rk_live_', 'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_', 'glpat-', 'xoxb-', 'xoxp-', 'xoxa-', 'xoxs-', 'xapp-',
  'AKIA', 'ASIA', 'AIza', 'hf_', 'npm_', 'pplx-', 'r8_', 'lin_api_', 'sq0atp-', 'shpat_', 'dop_v1_', 'ntn_', 'secret_', 'pk_live_', 'figd_', 'SG.',
];

const MIN_ENTROPY_LENGTH = 20;
const MIN_BITS_PER_CHAR = 3.5;
const REFERENCE = /^(keyhold:\/\/|\$\{[^}]*\}$|\$[A-Za-z_][A-Za-z0-9_]*$)/;

export function nameLooksSecret(name: string): boolean {
  if (NOT_SECRET_NAMES.test(name)) return false;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .map((word) => word.toUpperCase());
  return words.some((word) => SECRET_WORDS.has(word)) || /APIKEY|ACCESSKEY|SECRETKEY/i.test(name.replace(/[^A-Za-z]/g, ''));
}

export function isReference(value: string): boolean {
  return REFERENCE.test(value);
}

/** Why `value` (named `name`, when it has one) looks like a secret, or undefined. */
export function secretReason(name: string | undefined, value: string): SecretReason | undefined {
  const trimmed = value.trim();
  if (trimmed === '' || isReference(trimmed) || /^(true|false|null|\d+(\.\d+)?)$/i.test(trimmed)) return undefined;
  if (KNOWN_PREFIXES.some((prefix) => trimmed.startsWith(prefix) && trimmed.length >= prefix.length + 8)) return 'prefix';
  if (name !== undefined && nameLooksSecret(name)) return 'name';
  if (looksRandom(trimmed)) return 'entropy';
  return undefined;
}

/** Long, no whitespace, not a path or URL, several character classes and high entropy. */
export function looksRandom(value: string): boolean {
  if (value.length < MIN_ENTROPY_LENGTH || /\s/.test(value) || /^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^[.~]?[\\/]/.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(value)).length;
  return classes >= 2 && shannonBitsPerChar(value) >= MIN_BITS_PER_CHAR;
}

export function shannonBitsPerChar(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** A URL's user-info password or a query parameter that names a secret (`?api_key=…`). */
export function urlHoldsSecret(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.password !== '') return true;
  return [...url.searchParams].some(([key, v]) => v !== '' && (nameLooksSecret(key) || secretReason(undefined, v) === 'prefix'));
}
