// Every request passes three gates, decided after routing (the router has decoded the path, so `/%61pi/jobs` is
// judged as the /api/jobs route it reaches): the Host allowlist (DNS rebinding), the state-change checks (a foreign
// Origin or a non-JSON body: CSRF), and the token, deny by default — only routes marked `public` go without one.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLoopback, type TokenScope } from '../config/operator-schema.js';
import type { Config } from '../config/schema.js';
import { scopeOf, type Credentials } from './auth.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without a token (the page shell, its assets, the login exchange). */
    public?: boolean;
    /** The least scope that may call the route; unset: operator only. */
    scope?: TokenScope;
  }
}

/** The dashboard's session cookie: the token, HttpOnly and SameSite=Strict (set by POST /login). */
export const COOKIE = 'nightshift_token';

const scopes = new WeakMap<FastifyRequest, TokenScope>();
/** The scope the request was admitted with (routes that care, e.g. submit, read it). */
export const requestScope = (req: FastifyRequest): TokenScope => scopes.get(req) ?? 'submit';

/** `name[:port]` → the lowercased name (`[::1]` keeps its brackets); undefined for anything else. */
function hostName(header: string | undefined): string | undefined {
  const m = /^(\[[\da-fA-F:.]+\]|[\w.-]+)(:\d{1,5})?$/.exec(header ?? '');
  return m?.[1]?.toLowerCase();
}

export function allowedHost(header: string | undefined, config: Config): boolean {
  const name = hostName(header);
  if (!name) return false;
  if (isLoopback(name) || config.http.hosts.some((h) => h.toLowerCase() === name)) return true;
  const bind = config.http.host.toLowerCase();
  // A server bound to one named address answers to it; a wildcard bind answers to nothing more than listed.
  return bind !== '0.0.0.0' && bind !== '::' && (bind === name || `[${bind}]` === name);
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface Refusal {
  status: number;
  error: string;
  field: string;
  value?: string | undefined;
}

/** A browser's cross-site write: a foreign Origin, `Sec-Fetch-Site: cross-site`, or a body that is not JSON. */
function csrfRefusal(req: FastifyRequest): Refusal | undefined {
  if (!STATE_CHANGING.has(req.method)) return undefined;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let host: string | undefined;
    try {
      host = new URL(origin).host.toLowerCase();
    } catch {
      host = undefined; // "null" (a sandboxed frame, a file: page) is foreign too
    }
    if (host !== req.headers.host?.toLowerCase())
      return {
        status: 403,
        error: `Origin: "${origin}" is not this server; a cross-origin ${req.method} is refused`,
        field: 'Origin',
        value: origin,
      };
  }
  if (req.headers['sec-fetch-site'] === 'cross-site')
    return {
      status: 403,
      error: 'Sec-Fetch-Site: "cross-site" requests that change state are refused',
      field: 'Sec-Fetch-Site',
      value: 'cross-site',
    };
  const type = req.headers['content-type'];
  const body = type !== undefined || Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'];
  if (body && !/^application\/json\s*(;|$)/i.test(type ?? ''))
    return {
      status: 415,
      error: `content-type: "${type ?? '(none)'}" — a request that changes state sends application/json`,
      field: 'content-type',
      value: type,
    };
  return undefined;
}

function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE && rest.length) {
      try {
        return decodeURIComponent(rest.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** `Authorization: Bearer` (scripts, Prometheus) or the dashboard's cookie. */
export function presentedToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return cookieToken(req.headers.cookie);
}

/** The token gate: the request's scope, or a refusal. An unmatched path is a 401 without a token (404 with one). */
function tokenRefusal(req: FastifyRequest, creds: Credentials): Refusal | TokenScope {
  const route = req.routeOptions;
  const given = presentedToken(req);
  const scope = given !== undefined ? scopeOf(creds, given) : creds.open ? 'operator' : undefined;
  if (route.url !== undefined && route.config.public) return scope ?? 'submit';
  if (!scope)
    return given !== undefined
      ? { status: 401, error: 'token: not valid', field: 'token' }
      : { status: 401, error: 'token: missing (Authorization: Bearer <token>, or log in at /login)', field: 'token' };
  if (route.url !== undefined && scope === 'submit' && route.config.scope !== 'submit')
    return {
      status: 403,
      error: `token: scope "submit" may not ${req.method} ${route.url} (operator only)`,
      field: 'token',
      value: 'submit',
    };
  return scope;
}

export function guardHook(config: Config, creds: Credentials) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    let verdict: Refusal | TokenScope;
    if (!allowedHost(req.headers.host, config)) {
      const host = req.headers.host ?? '(none)';
      const error = `Host: "${host}" is not served here (loopback names and http.hosts are)`;
      verdict = { status: 421, error, field: 'Host', value: host };
    } else verdict = csrfRefusal(req) ?? tokenRefusal(req, creds);
    if (typeof verdict === 'string') {
      scopes.set(req, verdict);
      return;
    }
    if (verdict.status === 401) void reply.header('www-authenticate', 'Bearer');
    const { status, ...body } = verdict;
    await reply.code(status).send(body);
  };
}
