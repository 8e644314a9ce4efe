// `submit --mcp`: the `nightshift mcp` server a job's agent mounts, with its worker's config minus every secret.
import { fileURLToPath } from 'node:url';
import type { Config } from './schema.js';

/** A stdio MCP server as the CLIs' configs describe one. */
export interface McpMount {
  name: 'nightshift';
  command: string;
  args: string[];
  env: Record<string, string>;
}

const BIN = fileURLToPath(new URL('../../bin/nightshift.js', import.meta.url));

/**
 * What the server needs of the worker's config (the engine's address, queue, kinds, routes, lanes), never what
 * the agent must not see: backend keys, the HTTP token, webhook URLs and headers, the ledger's password.
 */
export function mountedConfig(config: Config): Record<string, unknown> {
  const { instructions: _i, instructionsFile: _f, ...rest } = config;
  const backends = Object.fromEntries(Object.entries(config.backends).map(([n, b]) => [n, { ...b, env: {} }]));
  const webhooks = config.notify.webhooks.map((w) => ({ ...w, url: 'https://redacted.invalid/', headers: {} }));
  const { token: _t, ...http } = config.http;
  const ledger = config.ledger.url ? { ...config.ledger, url: withoutPassword(config.ledger.url) } : config.ledger;
  return { ...rest, backends, http, ledger, notify: { ...config.notify, webhooks } };
}

/** The ledger URL without its password (a mounted server's stats then fail to authenticate, and say so). */
function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.searchParams.delete('password');
    return u.toString();
  } catch {
    return 'postgres://unparsable.invalid/';
  }
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
