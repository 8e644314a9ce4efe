// `nightshift mcp`: an MCP server over stdio (the official SDK) that any agent CLI can mount, so an agent — a
// "brain" job among them — can hand work to the fleet, wait for it and read its result.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { version } from '../support/version.js';
import type { McpDeps } from './deps.js';
import { registerEngineTools } from './tools-engine.js';
import { registerJobTools } from './tools-jobs.js';

export function createMcpServer(deps: McpDeps): McpServer {
  const server = new McpServer({ name: 'nightshift', version: version() });
  registerJobTools(server, deps);
  registerEngineTools(server, deps);
  return server;
}

/** Serves on stdin/stdout until the client closes them. stdout is the protocol's: nothing else may write there. */
export async function serveStdio(deps: McpDeps): Promise<void> {
  const server = createMcpServer(deps);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
  });
  await server.connect(new StdioServerTransport());
  await closed;
}
