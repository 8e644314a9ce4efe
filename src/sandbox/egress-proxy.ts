// The worker's egress proxy for one sandboxed run: an HTTP proxy (CONNECT, absolute-URI http) on a unix socket
// that only the run's namespace sees, allowing only its policy's hosts. Closing it ends every connection.
import { lookup } from 'node:dns/promises';
import { connect as createConnection, createServer, isIP, type Server, type Socket } from 'node:net';
import { logger } from '../support/logger.js';
import { isOwnAddress, policyAllows } from './egress-policy.js';

export interface ProxyPolicy {
  allow: readonly string[];
  denyPorts: readonly number[];
  label: string;
}

const MAX_HEADER = 16 * 1024;
const HEADER_MS = 15_000;
const CONNECT_MS = 15_000;
/** An idle tunnel is closed after this long (a model stream sends at least keep-alives well within it). */
const IDLE_MS = 10 * 60_000;

/** A unix-socket server whose every socket (accepted and dialled) is destroyed on close. */
export class TrackedServer {
  readonly sockets = new Set<Socket>();
  constructor(readonly server: Server) {}
  track(s: Socket): Socket {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
    return s;
  }
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Listens on `path` (a unix socket) and proxies for `policy`. */
export async function startProxy(path: string, policy: ProxyPolicy): Promise<TrackedServer> {
  const denied = new Set<string>();
  const log = logger('egress').child({ run: policy.label });
  const onDeny = (host: string): void => {
    if (denied.has(host)) return;
    denied.add(host);
    log.warn({ host }, 'egress denied: not the backend endpoint nor in sandbox.allowHosts');
  };
  const server = createServer((client) => {
    tracked.track(client);
    serve(client, policy, onDeny, (s) => tracked.track(s));
  });
  const tracked = new TrackedServer(server); // the handler runs only after listen: tracked is set by then
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return tracked;
}

function serve(client: Socket, policy: ProxyPolicy, onDeny: (h: string) => void, track: (s: Socket) => Socket): void {
  let head = Buffer.alloc(0);
  client.setTimeout(HEADER_MS, () => client.destroy());
  client.on('error', () => client.destroy());
  const onData = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (head.length > MAX_HEADER) reply(client, 431, 'request header too large');
      return;
    }
    client.off('data', onData);
    client.pause();
    void handle(client, head.subarray(0, end + 4), head.subarray(end + 4), policy, onDeny, track);
  };
  client.on('data', onData);
}

interface Target {
  host: string;
  port: number;
  /** CONNECT: a tunnel; else the request to send upstream (origin-form, hop headers dropped). */
  request?: Buffer;
}

async function handle(
  client: Socket,
  head: Buffer,
  rest: Buffer,
  policy: ProxyPolicy,
  onDeny: (h: string) => void,
  track: (s: Socket) => Socket,
): Promise<void> {
  const target = parseRequest(head.toString('latin1'));
  if (typeof target === 'string') return reply(client, 400, target);
  const ip = await allowedAddress(target, policy);
  if (!ip) {
    onDeny(target.host);
    return reply(client, 403, `nightshift egress: ${target.host}:${target.port} is not allowed for this job`);
  }
  const upstream = track(createConnection(target.port, ip));
  upstream.setTimeout(CONNECT_MS, () => upstream.destroy());
  // Unreachable: a 502 naming the target, as proxies answer (a dropped connection makes some CLIs retry forever).
  upstream.once('error', () => {
    if (!client.destroyed) reply(client, 502, `nightshift egress: cannot reach ${target.host}:${target.port}`);
  });
  upstream.once('connect', () => {
    upstream.setTimeout(IDLE_MS, () => upstream.destroy());
    client.setTimeout(IDLE_MS, () => client.destroy());
    upstream.removeAllListeners('error');
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    if (target.request) upstream.write(target.request);
    else client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (rest.length > 0) upstream.write(rest);
    client.pipe(upstream).on('close', () => upstream.destroy());
    upstream.pipe(client).on('close', () => client.destroy());
    upstream.once('close', () => client.destroy());
    client.once('close', () => upstream.destroy());
    client.resume();
  });
}

/** The first address of an allowed target that is not one of the worker's own services; undefined: refused. */
async function allowedAddress(t: Target, policy: ProxyPolicy): Promise<string | undefined> {
  if (!policyAllows(policy.allow, t.host, t.port)) return undefined; // nothing resolved for what is not allowed
  let addresses: string[];
  try {
    addresses = isIP(t.host) ? [t.host] : (await lookup(t.host, { all: true })).map((a) => a.address);
  } catch {
    return undefined;
  }
  const own = addresses.some((a) => isOwnAddress(a));
  if (own && policy.denyPorts.includes(t.port)) return undefined; // Temporal, ledger, API: never, whatever matched
  return addresses[0];
}

/** The target of a proxy request: `CONNECT host:port` or `METHOD http://host[:port]/path`. */
export function parseRequest(head: string): Target | string {
  const lines = head.split('\r\n');
  const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? '');
  if (!m?.[1] || !m[2]) return 'malformed request line';
  if (m[1] === 'CONNECT') {
    const hp = /^(\[[0-9a-fA-F:.]+\]|[^:/\s@]+):(\d{1,5})$/.exec(m[2]);
    if (!hp?.[1]) return 'CONNECT needs host:port';
    return { host: hp[1].replace(/^\[|\]$/g, ''), port: Number(hp[2]) };
  }
  let url: URL;
  try {
    url = new URL(m[2]);
  } catch {
    return 'a proxy request needs an absolute http:// URL';
  }
  if (url.protocol !== 'http:') return 'only http:// is forwarded; use CONNECT for https';
  if (url.username || url.password) return 'credentials in the URL are refused';
  const keep = lines.slice(1).filter((l) => l !== '' && !/^(proxy-[\w-]+|connection|keep-alive):/i.test(l));
  const request = [`${m[1]} ${url.pathname}${url.search} HTTP/1.1`, ...keep, 'Connection: close', '', ''];
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return { host, port: Number(url.port || 80), request: Buffer.from(request.join('\r\n'), 'latin1') };
}

function reply(client: Socket, status: number, text: string): void {
  const reason = { 400: 'Bad Request', 403: 'Forbidden', 431: 'Request Header Fields Too Large', 502: 'Bad Gateway' };
  const body = `${text}\n`;
  const phrase = reason[status as keyof typeof reason] ?? 'Error';
  client.end(
    `HTTP/1.1 ${status} ${phrase}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}
