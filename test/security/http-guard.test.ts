// Issue 25 rows 8 and 9 against the real server (startHttpServer on the real engine): the route is judged after the
// router decodes the path, a token is needed on loopback too, a foreign Host or Origin and a non-JSON write are
// refused, `http.token: "none"` opens loopback only, and the dashboard's login trades the token for a strict cookie.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { listJobs } from '../../src/client/list-jobs.js';
import { parseConfig } from '../../src/config/load.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { launchBrowser } from '../support/browser.js';
import { startTemporal, startWorker, type Harness } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
let h: Harness;
let api: HttpServer; // no token configured: one is generated into the data dir, as `nightshift dev` does

before(async () => {
  env = await startTemporal();
  h = await startWorker(env, { backends: { command: { command: 'sh', extraArgs: ['-c', 'echo hi'] } } });
  api = await startHttpServer({ config: { ...h.config, http: { ...h.config.http, port: 0 } }, client: env.client });
});
after(async () => {
  await api?.close();
  await h?.stop();
  await env?.teardown();
});

/** A raw HTTP/1.1 request: the path and Host go out exactly as written (fetch would normalize `..` and `//`). */
function raw(
  server: HttpServer,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, unknown> }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        let json: Record<string, unknown> = {};
        try {
          json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          json = { text };
        }
        resolve({ status: res.statusCode ?? 0, json, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const bearer = (server = api) => ({ authorization: `Bearer ${server.token ?? ''}` });
const JSON_TYPE = { 'content-type': 'application/json' };
const jobCount = async (): Promise<number> => (await listJobs(env.client, h.config, { limit: 500 })).rows.length;

test('a token is made even on loopback: the API, /metrics and unknown paths are 401 without it', async () => {
  assert.ok((api.token ?? '').length >= 32, 'generated');
  for (const path of ['/api/capacity', '/metrics', '/api/events', '/api/openapi.json', '/nowhere', '/api/nothing'])
    assert.equal((await raw(api, 'GET', path)).status, 401, path);
  const wrong = await raw(api, 'GET', '/api/capacity', { authorization: 'Bearer not-the-token-not-the-token' });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json['error'], 'token: not valid');
  assert.equal((await raw(api, 'GET', '/api/capacity?access_token=' + api.token)).status, 401, 'no query token');
  assert.equal((await raw(api, 'GET', '/api/capacity', bearer())).status, 200);
  assert.equal((await raw(api, 'GET', '/nowhere', bearer())).status, 404, 'with the token, unknown is 404');
  for (const path of ['/', '/login', '/assets/app.js']) assert.equal((await raw(api, 'GET', path)).status, 200, path);
});

test('row 8: encoded and odd paths never reach a route without the token', async () => {
  const before = await jobCount();
  for (const path of [
    '/%61pi/jobs',
    '/%6detrics',
    '//api/jobs',
    '/api/../api/jobs',
    '/API/jobs',
    '/api/jobs/',
    '/%61pi/capacity',
  ])
    assert.equal((await raw(api, 'GET', path)).status, 401, path);
  const body = JSON.stringify({ prompt: 'x', backend: 'command', workspace: 'none' });
  for (const path of ['/%61pi/jobs', '/api/%6aobs', '//api/jobs'])
    assert.equal((await raw(api, 'POST', path, JSON_TYPE, body)).status, 401, `POST ${path}`);
  // The decoded path is the route: with the token it is served like /api/jobs itself.
  assert.equal((await raw(api, 'GET', '/%61pi/capacity', bearer())).status, 200);
  assert.equal((await raw(api, 'GET', '/%6detrics', bearer())).status, 200);
  assert.equal(await jobCount(), before, 'nothing was submitted');
});

test('row 9: a foreign Host is refused (421), loopback names and http.hosts are served', async () => {
  const { port } = new URL(api.url);
  const evil = await raw(api, 'GET', '/api/capacity', { ...bearer(), host: 'attacker.example' });
  assert.equal(evil.status, 421);
  assert.equal(evil.json['field'], 'Host');
  assert.equal((await raw(api, 'GET', '/', { host: `attacker.example:${port}` })).status, 421, 'the shell too');
  assert.equal((await raw(api, 'GET', '/', { host: '127.0.0.1.attacker.example' })).status, 421);
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost'])
    assert.equal((await raw(api, 'GET', '/api/capacity', { ...bearer(), host })).status, 200, host);
  const listed = await startHttpServer({
    config: { ...h.config, http: { ...h.config.http, port: 0, hosts: ['nightshift.internal'] } },
    client: env.client,
  });
  try {
    assert.equal(
      (await raw(listed, 'GET', '/api/capacity', { ...bearer(listed), host: 'nightshift.internal:7700' })).status,
      200,
    );
    assert.equal(
      (await raw(listed, 'GET', '/api/capacity', { ...bearer(listed), host: 'other.internal' })).status,
      421,
    );
  } finally {
    await listed.close();
  }
});

test('row 9: a cross-origin or text/plain write is refused before its handler, even with the token', async () => {
  const own = new URL(api.url).host;
  const body = JSON.stringify({ prompt: 'x', backend: 'command', workspace: 'none' });
  const before = await jobCount();
  const foreign = await raw(
    api,
    'POST',
    '/api/jobs',
    { ...bearer(), ...JSON_TYPE, origin: 'http://attacker.example' },
    body,
  );
  assert.equal(foreign.status, 403);
  assert.equal(foreign.json['field'], 'Origin');
  const nullOrigin = await raw(api, 'POST', '/api/jobs', { ...bearer(), ...JSON_TYPE, origin: 'null' }, body);
  assert.equal(nullOrigin.status, 403);
  const plain = await raw(api, 'POST', '/api/jobs/job-x/cancel', { ...bearer(), 'content-type': 'text/plain' }, 'x');
  assert.equal(plain.status, 415, 'the CSRF simple request does not reach cancel (it would be a 404)');
  assert.equal(plain.json['field'], 'content-type');
  const form = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://attacker.example' };
  assert.equal((await raw(api, 'POST', '/api/jobs/job-x/cancel', form, 'a=1')).status, 403);
  const site = await raw(api, 'POST', '/api/jobs', { ...bearer(), ...JSON_TYPE, 'sec-fetch-site': 'cross-site' }, body);
  assert.equal(site.status, 403);
  assert.equal(await jobCount(), before, 'nothing was submitted');
  const same = await raw(
    api,
    'POST',
    '/api/jobs',
    { ...bearer(), ...JSON_TYPE, origin: `http://${own}`, host: own },
    body,
  );
  assert.equal(same.status, 201, JSON.stringify(same.json));
  assert.equal((await raw(api, 'POST', '/api/jobs/job-nope/cancel', bearer())).status, 404, 'a bodiless POST passes');
});

test('http.token "none": tokenless loopback works; with a non-loopback host it is a config error naming it', async () => {
  const open = await startHttpServer({
    config: { ...h.config, http: { ...h.config.http, port: 0, token: 'none' } },
    client: env.client,
  });
  try {
    assert.equal(open.token, undefined);
    assert.equal((await raw(open, 'GET', '/api/capacity')).status, 200);
    assert.equal((await raw(open, 'GET', '/api/capacity', { host: 'attacker.example' })).status, 421, 'Host still');
  } finally {
    await open.close();
  }
  assert.throws(
    () => parseConfig({ dataDir: h.dataDir, http: { host: '0.0.0.0', token: 'none' } }),
    /"none" is allowed only on a loopback http\.host \(got "0\.0\.0\.0"\)[\s\S]*at http\.token/,
  );
  const flagged = { ...h.config, http: { ...h.config.http, host: '0.0.0.0', port: 0, token: 'none' as const } };
  await assert.rejects(startHttpServer({ config: flagged, client: env.client }), /http\.token: "none"/);
});

test('login: POST /login sets an HttpOnly SameSite=Strict cookie; the cookie alone reads the API', async () => {
  const bad = await raw(api, 'POST', '/login', JSON_TYPE, JSON.stringify({ token: 'not-the-token-not-the-token' }));
  assert.equal(bad.status, 401);
  assert.equal(bad.headers['set-cookie'], undefined);
  const ok = await raw(api, 'POST', '/login', JSON_TYPE, JSON.stringify({ token: api.token }));
  assert.equal(ok.status, 200);
  const cookie = String((ok.headers['set-cookie'] as string[])[0]);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const pair = cookie.split(';')[0]!;
  assert.equal((await raw(api, 'GET', '/api/capacity', { cookie: pair })).status, 200);
  assert.equal(
    (await raw(api, 'GET', '/api/capacity', { cookie: 'nightshift_token=forged-forged-forged' })).status,
    401,
  );
});

test('login in the browser: /login#token= leaves no token in the URL or in script, and the page is live', async () => {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${api.url}/login#token=${encodeURIComponent(api.token ?? '')}`);
    await page.locator('[data-testid="conn"][data-state="live"]').waitFor({ timeout: 60_000 });
    assert.ok(!page.url().includes('token'), page.url());
    const [cookie] = await context.cookies();
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Strict');
    assert.equal(await page.evaluate('document.cookie'), '', 'scripts cannot read it');
    const status = await page.evaluate(`fetch('/api/capacity').then((r) => r.status)`);
    assert.equal(status, 200, 'the cookie alone authorizes');
  } finally {
    await browser.close();
  }
});
