// Which hosts a sandboxed process may reach through the worker's egress proxy: its backend's model endpoint and
// sandbox.allowHosts, never the worker's own services (Temporal, the ledger, the HTTP API, metrics).
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { BackendConfig, Config } from '../config/schema.js';

/** host: the host network (today's behaviour); none: an empty namespace; proxy: an empty namespace + the proxy. */
export type NetworkPolicy =
  | { kind: 'host' }
  | { kind: 'none'; sockets?: string[] }
  | {
      kind: 'proxy';
      /** Unix sockets the worker serves this run (a brain's MCP bridge): bound into the sandbox. */
      sockets?: string[];
      /** host or host:port patterns (`*.example.com` matches subdomains); a bare host allows ports 80 and 443. */
      allow: string[];
      /** A model endpoint on the worker's loopback: forwarded in at its own port (loopbackModel forward). */
      loopback?: { host: string; port: number };
      /** Ports of the worker's own services, refused even when a pattern matches. */
      denyPorts: number[];
      /** Names the job in the proxy's log. */
      label: string;
    };

/**
 * The vendor endpoints each CLI calls when the backend has no baseUrl: its API, and for a subscription login its
 * token refresh and backend (names read from the pinned CLIs: claude's platform.claude.com/v1/oauth/token, codex's
 * chatgpt.com/backend-api/codex and auth.openai.com/oauth/token, gemini's cloudcode-pa and oauth2.googleapis.com).
 */
const VENDOR_HOSTS: Record<string, string[]> = {
  claude: ['api.anthropic.com:443', 'platform.claude.com:443'],
  codex: ['api.openai.com:443', 'chatgpt.com:443', 'auth.openai.com:443'],
  llm: ['api.openai.com:443'],
  aider: ['api.openai.com:443'],
  opencode: ['api.openai.com:443'],
  gemini: ['generativelanguage.googleapis.com:443', 'cloudcode-pa.googleapis.com:443', 'oauth2.googleapis.com:443'],
};

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost']);

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return LOOPBACK_NAMES.has(h) || h.startsWith('127.') || h === '::1' || h === '0.0.0.0' || h === '::';
}

/** An agent's policy: its backend's endpoint plus allowHosts, or none/host as configured. */
export function agentNetwork(backend: string, b: BackendConfig | undefined, config: Config): NetworkPolicy {
  const mode = config.sandbox.agentNetwork;
  if (mode !== 'proxy') return { kind: mode };
  const endpoints = b?.baseUrl ? [hostPortOf(b.baseUrl)] : (VENDOR_HOSTS[backend] ?? []);
  const allow = [...endpoints, ...config.sandbox.allowHosts];
  // loopbackModel proxy: no forwarder, no NO_PROXY — the CLI reaches its loopback model through the proxy too.
  const forward = config.sandbox.loopbackModel === 'forward';
  const loopback = b?.baseUrl && forward ? loopbackOf(b.baseUrl) : undefined;
  return { kind: 'proxy', allow, denyPorts: workerPorts(config), label: backend, ...(loopback ? { loopback } : {}) };
}

/** A check's (and a setup's) policy: checkNetwork false → none; true → the proxy with allowHosts only. */
export function checkNetwork(config: Config, label = 'check'): NetworkPolicy {
  if (!config.sandbox.checkNetwork) return { kind: 'none' };
  if (config.sandbox.agentNetwork === 'host') return { kind: 'host' };
  return { kind: 'proxy', allow: [...config.sandbox.allowHosts], denyPorts: workerPorts(config), label };
}

/** A setup's (`npm install`) policy: the proxy with allowHosts (list the package registry there); host stays host. */
export function setupNetwork(config: Config): NetworkPolicy {
  if (config.sandbox.agentNetwork === 'host') return { kind: 'host' };
  return { kind: 'proxy', allow: [...config.sandbox.allowHosts], denyPorts: workerPorts(config), label: 'setup' };
}

/** `host:port` of a URL (the scheme's default port when none is written). */
export function hostPortOf(url: string): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return `${u.hostname}:${port}`;
}

function loopbackOf(url: string): { host: string; port: number } | undefined {
  const u = new URL(url);
  if (!isLoopbackHost(u.hostname)) return undefined;
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
}

/** The ports of the worker's own services on this host: Temporal, its UI, the ledger, the HTTP API, metrics. */
export function workerPorts(config: Config): number[] {
  const ports = [config.temporal.devPort, config.temporal.devUiPort, config.ledger.devPort, config.http.port];
  const addr = config.temporal.address ?? '';
  const tp = /:(\d+)$/.exec(addr)?.[1];
  if (tp) ports.push(Number(tp));
  if (config.ledger.url) {
    try {
      ports.push(Number(new URL(config.ledger.url).port || 5432));
    } catch {
      ports.push(5432);
    }
  }
  const mp = /:(\d+)$/.exec(config.metrics.workerBindAddress ?? '')?.[1];
  if (mp) ports.push(Number(mp));
  return [...new Set(ports.filter((p) => p > 0))];
}

/** Whether `host:port` matches one pattern: exact host, or `*.domain` (subdomains only); IP literals only exactly. */
export function patternAllows(pattern: string, host: string, port: number): boolean {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(pattern.trim().toLowerCase());
  if (!m?.[1]) return false;
  const pHost = m[1].replace(/^\[|\]$/g, '');
  const ports = m[2] ? [Number(m[2])] : [80, 443];
  if (!ports.includes(port)) return false;
  const h = host.toLowerCase().replace(/\.$/, '');
  if (pHost.startsWith('*.')) return isIP(h) === 0 && h.endsWith(pHost.slice(1)) && h.length > pHost.length - 1;
  return h === pHost;
}

export function policyAllows(allow: readonly string[], host: string, port: number): boolean {
  return allow.some((p) => patternAllows(p, host, port));
}

/** Addresses that reach this host itself: loopback, the unspecified address, every local interface's. */
export function isOwnAddress(ip: string): boolean {
  if (isLoopbackHost(ip) || ip.startsWith('::ffff:127.')) return true;
  const mine = Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((i) => i.address));
  return mine.includes(ip.replace(/^::ffff:/, ''));
}
