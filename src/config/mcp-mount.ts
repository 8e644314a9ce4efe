// `submit --mcp`: the `nightshift mcp` server a job's agent mounts, with its worker's config minus every secret.
// The server runs inside the agent's sandbox as the agent's user: whatever it is given, the agent can read.
import { fileURLToPath } from 'node:url';
import { withoutUrlSecrets } from '../support/secrets.js';
import type { Config } from './schema.js';

/** A stdio MCP server as the CLIs' configs describe one. */
export interface McpMount {
  name: 'nightshift';
  command: string;
  args: string[];
  env: Record<string, string>;
}

const BIN = fileURLToPath(new URL('../../bin/nightshift.js', import.meta.url));

/** Keys whose values are credentials wherever they sit in the config: dropped (the schema's defaults hold). */
const SECRET_KEYS = new Set(['token', 'tokens', 'password', 'apiKey', 'api_key', 'secret']);
/** Maps of values the operator may fill with credentials (`backends.*.env`, `repos[].env`, webhook headers): emptied. */
const SECRET_MAPS = new Set(['env', 'headers']);
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * What the server needs of the worker's config (the engine's address, queue, kinds, routes, lanes), never what
 * the agent must not see: backend and repo env, HTTP tokens, webhook URLs and headers, and any URL's userinfo
 * or credential query parameters — the ledger's too (the server's `stats` then cannot log in to a ledger that
 * wants a password, and says so; there is no path to hand it one that the agent could not read as well).
 */
export function mountedConfig(config: Config): Record<string, unknown> {
  const { instructions: _i, instructionsFile: _f, ...rest } = config;
  const webhooks = config.notify.webhooks.map((w) => ({ ...w, url: 'https://redacted.invalid/' }));
  return scrub({ ...rest, notify: { ...config.notify, webhooks } }) as Record<string, unknown>;
}

/** `v` without secret keys, with secret maps emptied and every URL's credentials stripped, at any depth. */
function scrub(v: unknown): unknown {
  if (typeof v === 'string') return URL_LIKE.test(v) ? withoutUrlSecrets(v) : v;
  if (Array.isArray(v)) return v.map(scrub);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (SECRET_KEYS.has(k)) continue;
    out[k] = SECRET_MAPS.has(k) && typeof x === 'object' && x !== null ? {} : scrub(x);
  }
  return out;
}

/** The server for job `jobId`'s agent: the jobs it submits carry `jobId` as their parent. */
export function mcpMount(config: Config, jobId: string): McpMount {
  return {
    name: 'nightshift',
    command: process.execPath,
    args: [BIN, 'mcp'],
    env: {
      NIGHTSHIFT_CONFIG_JSON: JSON.stringify(mountedConfig(config)),
      NIGHTSHIFT_JOB_ID: jobId,
      NIGHTSHIFT_LOG_LEVEL: 'warn',
    },
  };
}
