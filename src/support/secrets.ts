// Configured secrets never reach anything stored or logged: one process-wide set of values, one `mask`.
// Agents are untrusted and may print their whole environment; everything kept of their output passes through here.
// Leaf utilities: the values come from src/config/secret-values.ts (which reads the config); nothing imported here.

/** What a masked secret reads as. */
export const MASK = '***';
/** Shorter values are not masked: they match too much ordinary text (`main`, `true`, `1234`). */
export const MIN_SECRET_LENGTH = 6;
/** URL query parameters that carry a credential. */
export const SECRET_PARAMS = [
  'password',
  'sslpassword',
  'sslkey',
  'token',
  'apikey',
  'api_key',
  'key',
  'secret',
  'access_token',
  'auth',
  'sig',
] as const;

const known = new Set<string>();
let patterns: string[] = []; // every form of every value, longest first (a secret inside a longer one masks whole)

/** Adds values to the set (a worker's config at start; a test's own); returns its size. Short values are skipped. */
export function registerSecrets(values: Iterable<string>): number {
  let added = false;
  for (const v of values) {
    if (v.length < MIN_SECRET_LENGTH || known.has(v)) continue;
    known.add(v);
    added = true;
  }
  if (added) patterns = [...new Set([...known].flatMap(formsOf))].sort((a, b) => b.length - a.length);
  return known.size;
}

/** The value as output may quote it: raw, JSON-escaped, URL-encoded. */
function formsOf(v: string): string[] {
  return [v, JSON.stringify(v).slice(1, -1), encodeURIComponent(v)].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

/** A URL's password (raw and decoded) and secret query values. */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const params = SECRET_PARAMS.flatMap((p) => u.searchParams.getAll(p));
    return [u.password, decodeURIComponent(u.password), ...params].filter((s) => s.length > 0);
  } catch {
    return [];
  }
}

/** The URL without userinfo or credential query parameters (what a URL an agent can read may keep). */
export function withoutUrlSecrets(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    for (const key of [...u.searchParams.keys()])
      if ((SECRET_PARAMS as readonly string[]).includes(key.toLowerCase())) u.searchParams.delete(key);
    return u.toString();
  } catch {
    return 'unparsable://redacted.invalid/';
  }
}

/**
 * Any `scheme://userinfo@`: the password (and an http URL's lone user name, often a token) masked. The same rule
 * as protocol/repo.ts `maskUrlsIn`, which must stay workflow-safe and import-free (support cannot import protocol).
 */
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^\s/'"]*)@/gi;
function maskUrlsIn(text: string): string {
  return text.replace(USERINFO, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    if (colon >= 0) return `${scheme}${userinfo.slice(0, colon)}:${MASK}@`;
    return `${scheme}${/^https?:/i.test(scheme) ? MASK : userinfo}@`;
  });
}

/** `text` with every known secret, every URL's userinfo and API-key-shaped strings replaced by `***`. */
export function mask(text: string): string {
  let out = text;
  for (const p of patterns) if (out.includes(p)) out = out.split(p).join(MASK);
  return maskUrlsIn(out)
    .replace(/\b(sk-[A-Za-z0-9_-]{4})[A-Za-z0-9_-]{8,}/g, '$1…')
    .replace(/(x-api-key:\s*)\S+/gi, `$1${MASK}`);
}

/** Every string inside `v` masked, through arrays and plain objects (an Error or a class instance is left whole). */
export function maskDeep<T>(v: T): T {
  if (typeof v === 'string') return mask(v) as T;
  if (Array.isArray(v)) return v.map((x: unknown) => maskDeep(x)) as T;
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskDeep(x)])) as T;
}

/** `text` without a leading piece of a secret whose start was cut off (a tail of a longer output). */
export function dropCutSecret(text: string): string {
  let drop = 0;
  for (const p of patterns)
    for (let k = 1; k < p.length && p.length - k > drop; k++) if (text.startsWith(p.slice(k))) drop = p.length - k;
  return text.slice(drop);
}

/** The longest known form: how much of a stream's end must wait for more text before it can be masked. */
export const longestSecret = (): number => patterns[0]?.length ?? 0;
