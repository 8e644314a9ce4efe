// One sandboxed run's way out: its own proxy socket (its allowlist is which socket it dials, nothing to forge),
// a forwarder for a loopback model endpoint, and the socat bridges that carry both into its network namespace.
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { logger } from '../support/logger.js';
import type { NetworkPolicy } from './egress-policy.js';
import { startProxy, TrackedServer } from './egress-proxy.js';
import { onPath } from './on-path.js';

/** The proxy's port inside the namespace (its own loopback: no other process of the host shares it). */
const PROXY_PORT = 3128;
/** sun_path holds 108 bytes: a longer data dir puts the sockets under the OS temp dir instead. */
const MAX_SOCKET_PATH = 100;

export interface EgressRun {
  /** Unix sockets to bind into the sandbox (same path inside). */
  sockets: string[];
  /** The shell prelude's argv: start the bridges, wait until they listen, then exec the command. */
  wrap(command: string, args: string[]): string[];
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Every proxy and bridge still open in this worker: closed when it stops, should a run leave one behind. */
export const openEgressRuns = new Set<{ close(): Promise<void> }>();
const open = openEgressRuns;

/** Every run's proxy still open (the worker stopping): closed. */
export async function closeAllEgress(): Promise<void> {
  await Promise.all([...open].map((r) => r.close()));
}

export async function openEgress(
  policy: Extract<NetworkPolicy, { kind: 'proxy' }>,
  config: Config,
): Promise<EgressRun> {
  const dir = await runtimeDir(config);
  const servers: TrackedServer[] = [];
  const bridges: { port: number; socket: string }[] = [];
  try {
    const proxySock = join(dir, 'p.sock');
    servers.push(await startProxy(proxySock, policy));
    const lo = policy.loopback;
    const proxyPort = lo?.port === PROXY_PORT ? PROXY_PORT + 1 : PROXY_PORT;
    bridges.push({ port: proxyPort, socket: proxySock });
    // Only when it answers now: a model server that is down is refused inside too, as the CLI knows it natively.
    if (lo && (await reachable(lo.host, lo.port))) {
      const fwdSock = join(dir, 'm.sock');
      servers.push(await startForwarder(fwdSock, lo.host, lo.port));
      bridges.push({ port: lo.port, socket: fwdSock });
    }
    const proxyUrl = `http://127.0.0.1:${proxyPort}`;
    const socat = socatPath();
    let closed = false;
    const run: EgressRun = {
      sockets: bridges.map((b) => b.socket),
      wrap: (command, args) => ['/bin/sh', '-c', prelude(socat, bridges), 'nightshift-egress', command, ...args],
      env: { HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl, http_proxy: proxyUrl, https_proxy: proxyUrl, ...direct(lo) },
      close: async () => {
        if (closed) return;
        closed = true;
        open.delete(run);
        await Promise.all(servers.map((s) => s.close()));
        await rm(dir, { recursive: true, force: true });
      },
    };
    open.add(run);
    return run;
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The namespace's side: one socat per bridge (TCP on its own 127.0.0.1 → the unix socket), a wait until each
 * listens (read from /proc/net/tcp: no probe connection), then the command in the shell's place.
 */
function prelude(socat: string, bridges: { port: number; socket: string }[]): string {
  const starts = bridges.map(
    (b) =>
      `${socat} TCP-LISTEN:${b.port},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${b.socket} </dev/null >/dev/null 2>&1 &`,
  );
  const ports = bridges.map((b) => b.port.toString(16).toUpperCase().padStart(4, '0'));
  // Shell builtins only (read, case): a fork per poll costs more than socat's start on a loaded host.
  const listening = ports.map((p) => `*" 0100007F:${p} 00000000:0000 0A "*) n=$((n+1));;`).join(' ');
  return [
    ...starts,
    'up() { n=0; while read -r _ l r s _; do case " $l $r $s " in ' +
      listening +
      ' esac; done </proc/net/tcp; [ $n -ge ' +
      String(ports.length) +
      ' ]; }',
    'i=0',
    "until up; do i=$((i+1)); [ $i -gt 5000 ] && { echo 'nightshift: egress bridge did not start (socat)' >&2; exit 125; }; [ $i -gt 100 ] && sleep 0.01; done",
    'exec "$@"',
  ].join('\n');
}

/**
 * A loopback model endpoint is dialled directly (NO_PROXY), reaching the forwarder at its own port: the same path
 * for every CLI, whether or not it proxies loopback. The namespace's loopback holds nothing else but the bridges.
 */
function direct(lo: { host: string } | undefined): Record<string, string> {
  if (!lo) return {};
  const hosts = [...new Set([lo.host, '127.0.0.1', 'localhost'])].join(',');
  return { NO_PROXY: hosts, no_proxy: hosts };
}

/** Whether host:port accepts a TCP connection now (a refused or silent port: no). */
async function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = connect(port, host);
    const done = (up: boolean): void => {
      s.destroy();
      ok(up);
    };
    s.setTimeout(2000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** socat on PATH (Debian's `socat`): the bridge into the namespace. */
export function socatPath(): string {
  const found = onPath('socat', process.env, ['/usr/bin', '/bin']);
  if (!found)
    throw new Error('sandbox.agentNetwork "proxy" needs socat (apt-get install socat), or set it to "none"/"host"');
  return found;
}

/** A unix socket that connects only to one host:port (a loopback model endpoint, for CLIs that skip the proxy). */
async function startForwarder(path: string, host: string, port: number): Promise<TrackedServer> {
  const server = createServer((client: Socket) => {
    tracked.track(client);
    const upstream = connect(port, host);
    tracked.track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream).on('close', () => upstream.destroy());
    upstream.pipe(client).on('close', () => client.destroy());
  });
  const tracked = new TrackedServer(server); // the handler runs only after listen: tracked is set by then
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(path, () => ok());
  });
  return tracked;
}

/** A private dir (0700) for the run's sockets: under the data dir (hidden inside the sandbox), else the temp dir. */
export async function runtimeDir(config: Config, kind = 'egress'): Promise<string> {
  const id = randomBytes(6).toString('hex');
  let dir = join(resolve(config.dataDir), 'run', `${kind}-${id}`);
  if (dir.length + 8 > MAX_SOCKET_PATH) dir = join(tmpdir(), `nightshift-${kind}-${id}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** At worker start: the warning `agentNetwork: host` earns, and socat checked where the proxy needs it. */
export function announceEgress(config: Config, mode: 'bwrap' | 'off'): void {
  const log = logger('sandbox');
  if (mode === 'off') return; // no namespace at all: announceSandbox already warned, results say sandbox: off
  if (config.sandbox.agentNetwork === 'host') {
    log.warn(
      'sandbox.agentNetwork: host — agents share the host network: they can reach Temporal, the ledger, the HTTP API and every loopback service',
    );
  } else if (config.sandbox.agentNetwork === 'proxy') socatPath(); // throws the clear error now, not per job
}
