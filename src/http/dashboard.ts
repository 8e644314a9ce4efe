// The live web dashboard: the page shell at `/` and its few static files at `/assets/<file>`, served from
// src/http/public/ without a plugin (three files need no @fastify/static). The page holds no data: it reads the
// API (with the cookie its login set), so these routes — the only public ones — need no token. `/login` is the same
// shell: its script exchanges the `#token=` fragment for the cookie.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpDeps } from './deps.js';

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

// Same-origin only: no CDN, no inline script, no framing; the page's own API and event stream.
const CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The files that may be served: exactly the names in the folder, listed once (no path ever reaches the disk). */
function publicFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const type = CONTENT_TYPES[extname(entry.name)];
    if (entry.isFile() && type) files.set(entry.name, type);
  }
  return files;
}

function send(req: FastifyRequest, reply: FastifyReply, dir: string, name: string, type: string): FastifyReply {
  // Read on each request: a few KB, and an edited file shows on reload without a server restart.
  const body = readFileSync(join(dir, name));
  // no-cache = revalidate every time; the ETag makes an unchanged file a bodiless 304.
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  reply
    .header('cache-control', 'no-cache')
    .header('etag', etag)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', CSP);
  if (req.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.header('content-type', type).send(body);
}

export function registerDashboard(app: FastifyInstance, _deps: HttpDeps, dir = PUBLIC_DIR): void {
  const files = publicFiles(dir);
  const index = files.get('index.html');
  if (!index) throw new Error(`dashboard: no index.html in ${dir}`);
  const shell = { config: { public: true } };
  app.get('/', shell, (req, reply) => send(req, reply, dir, 'index.html', index));
  app.get('/login', shell, (req, reply) => send(req, reply, dir, 'index.html', index));
  app.get<{ Params: { file: string } }>('/assets/:file', shell, (req, reply) => {
    const type = files.get(req.params.file);
    if (!type || req.params.file === 'index.html')
      return reply.code(404).send({ error: `no such asset: ${req.params.file}` });
    return send(req, reply, dir, req.params.file, type);
  });
}
