// Origins for URL repos: a bare repo served as file://, someone else's push to it, and smart HTTP behind Basic auth.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { makeRepo } from './repo.js';

const AS_SOMEONE = ['-c', 'user.email=s@example.com', '-c', 'user.name=someone'];

/** A bare origin with one commit on main (README.md); `url` is its file:// URL. */
export async function makeOrigin(): Promise<{ bare: string; url: string }> {
  const bare = join(mkdtempSync(join(tmpdir(), 'nightshift-origin-')), 'origin.git');
  await execa('git', ['clone', '-q', '--bare', await makeRepo(), bare]);
  return { bare, url: `file://${bare}` };
}

/** Someone else commits `file` on the origin's `branch` and pushes it; returns the new commit. */
export async function pushAsSomeoneElse(bare: string, file: string, text: string, branch = 'main'): Promise<string> {
  const clone = join(mkdtempSync(join(tmpdir(), 'nightshift-other-')), 'clone');
  await execa('git', ['clone', '-q', '--branch', branch, bare, clone]);
  writeFileSync(join(clone, file), text);
  const git = (...args: string[]) => execa('git', [...AS_SOMEONE, ...args], { cwd: clone });
  await git('add', file);
  await git('commit', '-q', '-m', `add ${file}`);
  await git('push', '-q', 'origin', `HEAD:${branch}`);
  return (await git('rev-parse', 'HEAD')).stdout.trim();
}

/** `git http-backend` as CGI for the bare repos under `root`, for `user:password` only (401 otherwise). */
export async function serveGitHttp(root: string, user: string, password: string) {
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const server = createServer((req, res) => {
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
      return;
    }
    runBackend(root, user, req, res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { port, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

function runBackend(root: string, user: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env = {
    ...process.env,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    REMOTE_USER: user, // an authenticated user may push (http.receivepack's default)
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: url.pathname,
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
  };
  const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let started = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (started) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    // CGI: header lines (a `Status:` among them), a blank line, then the body.
    let status = 200;
    for (const line of head.subarray(0, end).toString().split('\r\n')) {
      const colon = line.indexOf(':');
      const [name, value] = [line.slice(0, colon), line.slice(colon + 1).trim()];
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status).write(head.subarray(end + 4));
    started = true;
  });
  cgi.stdout.on('end', () => res.end());
}
