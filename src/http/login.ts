// The dashboard's login: the page posts the token it was opened with (`/login#token=…`, a fragment, so it never
// reaches a server log) and gets it back as an HttpOnly SameSite=Strict cookie that scripts cannot read and no
// other site can make the browser send; `POST /logout` drops it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { scopeOf, type Credentials } from './auth.js';
import { badInput, HttpError } from './errors.js';
import { COOKIE } from './guard.js';

const LoginBody = z.strictObject({ token: z.string().min(1) });

/** Secure only where the request came over TLS (a proxy in front says so): plain http on loopback keeps working. */
const secure = (req: FastifyRequest): string => (req.protocol === 'https' ? '; Secure' : '');

export function registerLogin(app: FastifyInstance, creds: Credentials): void {
  app.post('/login', { config: { public: true } }, async (req, reply) => {
    const parsed = LoginBody.safeParse(req.body);
    if (!parsed.success) throw badInput(parsed.error, req.body);
    const scope = scopeOf(creds, parsed.data.token);
    if (!scope) throw new HttpError(401, 'token: not valid', 'token');
    const value = encodeURIComponent(parsed.data.token);
    void reply.header('set-cookie', `${COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/${secure(req)}`);
    return { scope };
  });
  app.post('/logout', { config: { public: true } }, async (req, reply) => {
    void reply.header('set-cookie', `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure(req)}`);
    return { loggedOut: true };
  });
}
