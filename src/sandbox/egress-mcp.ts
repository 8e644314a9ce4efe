// A brain's `nightshift mcp` talks to Temporal, which its agent's namespace cannot reach: the server runs on the
// worker's side instead, and the agent's MCP entry is `socat STDIO UNIX-CONNECT:<socket>` — the agent gets the MCP
// tools (and their lane rules), never a route to Temporal, the ledger or the API.
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { RunContext } from '../agents/contract.js';
import type { McpMount } from '../config/mcp-mount.js';
import type { Config } from '../config/schema.js';
import { logger } from '../support/logger.js';
import type { SandboxMode } from './detect.js';
import { agentNetwork, type NetworkPolicy } from './egress-policy.js';
import { openEgressRuns, runtimeDir, socatPath } from './egress-run.js';
import { TrackedServer } from './egress-proxy.js';
import { sandboxEnv } from './env.js';

export interface McpBridge {
  /** What the agent's CLI mounts: socat to the socket. */
  mount: McpMount;
  /** The unix socket to bind into the sandbox. */
  socket: string;
  close(): Promise<void>;
}

/** One server process per connection (a CLI starts its MCP server once per run), killed when either side ends. */
export async function bridgeMcp(mount: McpMount, config: Config): Promise<McpBridge> {
  const dir = await runtimeDir(config, 'mcp');
  const socket = join(dir, 's.sock');
  const children = new Set<ChildProcess>();
  const log = logger('egress-mcp');
  const server = createServer((client: Socket) => {
    tracked.track(client);
    const env = sandboxEnv({ worker: process.env, own: [], set: mount.env }); // the worker's keys stay out
    const child = spawn(mount.command, mount.args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    child.once('exit', () => {
      children.delete(child);
      client.end();
    });
    child.on('error', (err) => log.warn({ err: err.message }, 'mcp server could not start'));
    child.stderr?.resume(); // its log (warn level) is not the agent's business
    client.on('error', () => child.kill());
    client.once('close', () => child.kill());
    client.pipe(child.stdin!).on('error', () => client.destroy());
    child.stdout!.pipe(client);
  });
  const tracked = new TrackedServer(server); // the handler runs only after listen: tracked is set by then
  try {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(socket, () => ok());
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  let closed = false;
  const bridge: McpBridge = {
    mount: { name: mount.name, command: socatPath(), args: ['STDIO', `UNIX-CONNECT:${socket}`], env: {} },
    socket,
    close: async () => {
      if (closed) return;
      closed = true;
      openEgressRuns.delete(bridge);
      for (const c of children) c.kill();
      await tracked.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  openEgressRuns.add(bridge);
  return bridge;
}

/**
 * An agent run's network: its policy, and — a brain in its own namespace — its MCP server bridged from the
 * worker's side (the socket joins the sandbox's binds). `close` ends the bridge with the run.
 */
export async function agentEgress(
  ctx: RunContext,
  backend: string,
  mode: SandboxMode,
  config: Config,
): Promise<{ ctx: RunContext; network: NetworkPolicy; close(): Promise<void> }> {
  const network = agentNetwork(backend, ctx.config, config);
  if (!ctx.mcp || mode === 'off' || network.kind === 'host') return { ctx, network, close: async () => {} };
  const bridge = await bridgeMcp(ctx.mcp, config);
  return {
    ctx: { ...ctx, mcp: bridge.mount },
    network: { ...network, sockets: [...(network.sockets ?? []), bridge.socket] },
    close: () => bridge.close(),
  };
}
