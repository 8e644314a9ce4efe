// `submit --mcp` for gemini: the nightshift server lives in the shared settings.json, switched on per run by env.
import type { McpMount } from '../../config/mcp-mount.js';
import type { Json } from '../support/json-lines.js';

/**
 * Set only in a mounting run's env. Gemini expands `${VAR:-}` in settings at startup and silently skips a server
 * with an empty command, so one unchanging entry serves every run on the worker: runs without the mount never see
 * it, and concurrent brains never race on the file (no settings-path env var is per run: system files must be
 * root-owned, the workspace's are the job's).
 */
const COMMAND_ENV = 'NIGHTSHIFT_MCP_COMMAND';
const envName = (key: string): string => `NIGHTSHIFT_MCP_ENV_${key}`;
/** Above nightshift_wait's 600 s bound: gemini's default (600 s) would cut a full wait short. */
const TIMEOUT_MS = 660_000;

/** The `mcpServers` entry: its command and env come from the run's env (`mcpEnv`); `trust` allows every call. */
export function mcpServerEntry({ args, env }: McpMount): Json {
  return {
    command: `\${${COMMAND_ENV}:-}`,
    args,
    env: Object.fromEntries(Object.keys(env).map((k) => [k, `\${${envName(k)}:-}`])),
    trust: true,
    timeout: TIMEOUT_MS,
  };
}

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** The mounting run's env. Gemini expands `$VAR` inside a server's env values again: JSON spells `$` as \u0024. */
export function mcpEnv({ command, env }: McpMount): Record<string, string> {
  const out: Record<string, string> = { [COMMAND_ENV]: command };
  for (const [key, value] of Object.entries(env))
    out[envName(key)] = value.includes('$') && isJson(value) ? value.replaceAll('$', '\\u0024') : value;
  return out;
}

/** Only this server in the run, as claude's `--strict-mcp-config`: the user's `mcp.allowed` cannot block it. */
export const mcpArgs = ({ name }: McpMount): string[] => ['--allowed-mcp-server-names', name];
