// OpenCode's share of `submit --mcp`: the nightshift MCP server in its inline config, its tools allowed.
import type { McpMount } from '../../config/mcp-mount.js';
import { obj, type Json } from '../support/json-lines.js';

/** nightshift_wait's longest wait (600 s) and a margin: opencode bounds every MCP call by the server's timeout. */
const CALL_TIMEOUT_MS = 630_000;

/** opencode names a server's tools `<server>_<tool>`, each with [^a-zA-Z0-9_-] replaced by `_`. */
const toolPrefix = (server: string): string => `${server.replace(/[^a-zA-Z0-9_-]/g, '_')}_`;

/** The user's permission rules (a single action is the rule for "*") with `rule` last: the last match wins. */
function withRuleLast(permission: unknown, rule: string, action: string): Json {
  const { [rule]: _mine, ...rules } = typeof permission === 'string' ? { '*': permission } : obj(permission);
  return { ...rules, [rule]: action };
}

/**
 * The `mcp` and `permission` keys of the inline config, merged over the user's own (`own`). A local server
 * (stdio): opencode connects and lists its tools before the first model request. Each MCP tool asks for the
 * permission named after it; `opencode run` cannot prompt, so the server's tools are allowed outright.
 */
export function mcpConfig(mount: McpMount, own: Json): Json {
  const { name, command, args, env } = mount;
  const server = { type: 'local', command: [command, ...args], environment: env, enabled: true };
  return {
    mcp: { ...obj(own['mcp']), [name]: { ...server, timeout: CALL_TIMEOUT_MS } },
    permission: withRuleLast(own['permission'], `${toolPrefix(name)}*`, 'allow'),
  };
}
