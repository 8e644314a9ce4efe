// The API's credentials: the operator token (configured, or generated once and kept 0600 in the data dir) on every
// address, loopback included; `http.token: "none"` opens loopback explicitly; `http.tokens` adds scoped tokens.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLoopback, type TokenScope } from '../config/operator-schema.js';
import type { Config } from '../config/schema.js';
import { UsageError } from '../support/usage-error.js';

export { isLoopback };

/** Where a generated token is kept: the CLI and `nightshift dev` read it from here. */
export const tokenFile = (config: Config): string => join(config.dataDir, 'http-token');

/** The operator token in force, and whether this start generated it (then the caller prints it, once). */
export function resolveToken(config: Config): { token?: string; generated: boolean } {
  const { token, host } = config.http;
  if (token === 'none') {
    // The schema refuses this too; `--host` overrides the config after parsing, so it is checked again here.
    if (!isLoopback(host))
      throw new UsageError(`http.token: "none" is allowed only on a loopback http.host (got "${host}")`);
    return { generated: false };
  }
  if (token) return { token, generated: false };
  const file = tokenFile(config);
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), generated: false };
  mkdirSync(config.dataDir, { recursive: true });
  const made = randomBytes(24).toString('base64url');
  try {
    writeFileSync(file, made + '\n', { mode: 0o600, flag: 'wx' }); // wx: of two servers starting at once, one writes
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { token: readFileSync(file, 'utf8').trim(), generated: false };
  }
  return { token: made, generated: true };
}

export interface Credentials {
  /** Tokenless requests are the operator's (`http.token: "none"` on loopback). */
  open: boolean;
  /** Each accepted token and what it may do. */
  tokens: { token: string; scope: TokenScope }[];
}

export function credentialsOf(config: Config, operatorToken: string | undefined): Credentials {
  const tokens: Credentials['tokens'] = operatorToken ? [{ token: operatorToken, scope: 'operator' }] : [];
  tokens.push(...config.http.tokens);
  return { open: config.http.token === 'none', tokens };
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The scope a presented token has; every candidate is compared (constant time each), no early exit. */
export function scopeOf(creds: Credentials, given: string): TokenScope | undefined {
  let found: TokenScope | undefined;
  for (const t of creds.tokens) if (same(given, t.token) && !found) found = t.scope;
  return found;
}
