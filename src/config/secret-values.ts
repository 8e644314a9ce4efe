// Which values of a worker's config (and environment) are secrets: src/support/secrets.ts masks them everywhere.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { logger } from '../support/logger.js';
import { MIN_SECRET_LENGTH, registerSecrets, urlSecrets } from '../support/secrets.js';
import type { Config } from './schema.js';

const log = logger('secrets');
/** A switch, not a secret (`CLAUDE_CODE_USE_BEDROCK=1`). */
const FLAG = /^(?:0|1|true|false|yes|no|on|off)$/i;

/** A worker env var whose value is a secret by its name (`ANTHROPIC_API_KEY`, `GH_TOKEN`, `PGPASSWORD`, …). */
const SECRET_NAME = /(?:_API_KEY|_TOKEN|_SECRET|_ACCESS_KEY)$|PASSWORD|PASSWD/i;
/**
 * Env entries that configure rather than authenticate (a path, a zone, a model, an endpoint): not masked whole —
 * masking a directory or a base URL everywhere would garble paths and errors. A URL's own credentials still are.
 */
const SETTING_NAME =
  /^(?:PATH|HOME|TZ|LANG|LANGUAGE|TMPDIR|SHELL|TERM|NODE_OPTIONS|LC_\w+)$|_(?:DIR|HOME|PATH|MODEL|URL|HOST|PORT)$/i;
/** A config key (under `http`, `temporal`) whose string values are secrets. */
const SECRET_KEY = /token|secret|password|apikey|api_key/i;

let warned = false;

/** The config's secrets (and the worker env's key-like vars) join the process's set; returns how many it has. */
export function registerConfigSecrets(config: Config, env: NodeJS.ProcessEnv = process.env): number {
  const short = shortSecrets(config);
  if (short.length > 0 && !warned) {
    warned = true;
    const why = `too short to mask (under ${MIN_SECRET_LENGTH} characters: too many false hits); they may show in output`;
    log.warn({ secrets: short }, `configured secrets ${why}`);
  }
  return registerSecrets(secretValuesOf(config, env));
}

/** Where the config holds a secret value too short to mask (by name: never the value); flags like `1` are no secret. */
export function shortSecrets(config: Config): string[] {
  const named: [string, string][] = [
    ...Object.entries(config.backends).flatMap(([n, b]) => envEntries(b.env, `backends.${n}.env`)),
    ...config.repos.flatMap((r, i) => envEntries(r.env, `repos[${i}].env`)),
    ...config.notify.webhooks.flatMap((w, i) =>
      Object.entries(w.headers).map(([k, v]): [string, string] => [`notify.webhooks[${i}].headers.${k}`, v]),
    ),
    ...(config.ledger.url ? urlSecrets(config.ledger.url).map((v): [string, string] => ['ledger.url', v]) : []),
  ];
  const short = named.filter(([, v]) => v.length > 0 && v.length < MIN_SECRET_LENGTH && !FLAG.test(v));
  return [...new Set(short.map(([n]) => n))];
}

const envEntries = (env: Record<string, string>, at: string): [string, string][] =>
  Object.entries(env)
    .filter(([k]) => !SETTING_NAME.test(k))
    .map(([k, v]) => [`${at}.${k}`, v]);

/**
 * Every secret value in the config and in `env`, unfiltered: `backends.*.env` and `baseUrl` credentials,
 * `repos[].env`, webhook URLs and headers, `http.token`/`http.tokens` and the generated token, any token or key
 * under `temporal`, the ledger URL's password and secret params, key-named env vars.
 */
export function secretValuesOf(config: Config, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const b of Object.values(config.backends)) out.push(...envSecrets(b.env), ...urlSecrets(b.baseUrl ?? ''));
  for (const r of config.repos) out.push(...envSecrets(r.env));
  for (const w of config.notify.webhooks) out.push(w.url, ...Object.values(w.headers));
  out.push(...keyedStrings(config.http), ...keyedStrings(config.temporal));
  if (config.ledger.url) out.push(...urlSecrets(config.ledger.url));
  out.push(...generatedToken(config.dataDir));
  for (const [name, value] of Object.entries(env)) if (value && SECRET_NAME.test(name)) out.push(value);
  return out;
}

/** The HTTP token `serve` generated and keeps in the data dir (src/http/auth.ts `tokenFile`), if there is one yet. */
function generatedToken(dataDir: string): string[] {
  const file = join(dataDir, 'http-token');
  return existsSync(file) ? [readFileSync(file, 'utf8').trim()] : [];
}

/** An env map's values, except settings (SETTING_NAME), of which only a URL's credentials count. */
function envSecrets(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([name, value]) => (SETTING_NAME.test(name) ? urlSecrets(value) : [value]));
}

/** Strings under secret-named keys, at any depth: a token, a list of them, `{ token, scope }` (not the scope). */
function keyedStrings(v: unknown, keyed = false): string[] {
  if (typeof v === 'string') return keyed ? [v] : [];
  if (Array.isArray(v)) return v.flatMap((x) => keyedStrings(x, keyed));
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => keyedStrings(x, SECRET_KEY.test(k)));
}
