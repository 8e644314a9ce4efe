// The bearer token: required on any address but loopback; generated once (kept in the data dir, printed once)
// when the config names none, so a server is never reachable from the network without one.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.js';

export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);

/** The token in force, and whether this start generated it (then the caller prints it, once). */
export function resolveToken(config: Config): { token?: string; generated: boolean } {
  if (config.http.token) return { token: config.http.token, generated: false };
  if (isLoopback(config.http.host)) return { generated: false }; // 127.0.0.1-only dev use
  const file = join(config.dataDir, 'http-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), generated: false };
  mkdirSync(config.dataDir, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  try {
    writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' }); // wx: of two servers starting at once, one writes
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { token: readFileSync(file, 'utf8').trim(), generated: false };
  }
  return { token, generated: true };
}

const PROTECTED = /^\/(api|metrics)(\/|\?|$)/;

function given(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  // EventSource cannot send headers: the dashboard passes the token as a query parameter on /api/events.
  const q = (req.query as Record<string, unknown> | undefined)?.['access_token'];
  return typeof q === 'string' ? q : undefined;
}

const same = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function authHook(token: string | undefined) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!token || !PROTECTED.test(req.url)) return;
    const t = given(req);
    if (t && same(t, token)) return;
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send({ error: t ? 'token: not valid' : 'token: missing (Authorization: Bearer <token>)', field: 'token' });
  };
}
