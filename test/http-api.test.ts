// The HTTP API on the real engine: submit → status → result, list filters, history and diff, bad input (400 naming
// the field, nothing submitted), unknown ids (404), the bearer token (401), and SSE in order. The API is reached with
// its token (generated into the data dir, as on every address); jobs work in a repo under `repoRoots`.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parseConfig } from '../src/config/load.js';
import { resolveToken } from '../src/http/auth.js';
import { startHttpServer, type HttpServer } from '../src/http/server.js';
import { makeRepo } from './support/repo.js';
import { readEvents, until } from './support/sse.js';
import { startTemporal, startWorker, type Harness } from './support/temporal.js';

// Writes its prompt into out.txt; a prompt starting with "slow" sleeps first.
const AGENT =
  'case "$NIGHTSHIFT_PROMPT" in slow*) sleep 4 ;; esac; printf "%s\\n" "$NIGHTSHIFT_PROMPT" > out.txt; echo done';

let env: TestWorkflowEnvironment;
let h: Harness;
let api: HttpServer;
let repo: string;

before(async () => {
  env = await startTemporal();
  repo = await makeRepo();
  h = await startWorker(env, {
    backends: { command: { command: 'sh', extraArgs: ['-c', AGENT] } },
    repoRoots: [repo],
  });
  api = await startHttpServer({
    config: { ...h.config, http: { ...h.config.http, port: 0, pollMs: 200 } },
    client: env.client,
  });
});
after(async () => {
  await api?.close();
  await h?.stop();
  await env?.teardown();
});

// Response bodies are read field by field, as a client of the API would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, server = api) {
  const res = await fetch(server.url + path, {
    method,
    headers: {
      ...(server.token ? { authorization: `Bearer ${server.token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as Json };
}

async function result(jobId: string): Promise<Json> {
  return until(`${jobId}'s result`, async () => {
    const r = await call('GET', `/api/jobs/${jobId}`);
    return r.json['result'] && r.json['workflowStatus'] !== 'RUNNING' ? r.json : undefined;
  });
}

test('submit → status → result through HTTP, then list (filters, pages), history and diff', async () => {
  const submitted = await call('POST', '/api/jobs', { prompt: 'hello api', backend: 'command', repo, kind: 'llm' });
  assert.equal(submitted.status, 201);
  const { jobId } = submitted.json as { jobId: string };
  assert.match(jobId, /^job-/);
  const status = await call('GET', `/api/jobs/${jobId}`);
  assert.equal(status.status, 200);
  assert.equal(status.json['prompt'], 'hello api');
  assert.ok(['queued', 'running', 'succeeded'].includes(status.json['progress'].status));
  const done = await result(jobId);
  assert.equal(done['result'].status, 'succeeded');
  assert.deepEqual(done['result'].filesChanged, ['out.txt']);

  const second = (await call('POST', '/api/jobs', { prompt: 'second', backend: 'command', repo })).json['jobId'];
  await result(second);
  const listed = await until('both jobs in visibility', async () => {
    const r = await call('GET', '/api/jobs?status=succeeded&limit=1');
    return r.json['jobs'].length === 1 && r.json['next'] ? r.json : undefined;
  });
  assert.equal(listed['jobs'][0].jobId, second, 'newest first');
  const page2 = await call('GET', `/api/jobs?status=succeeded&limit=1&before=${encodeURIComponent(listed['next'])}`);
  assert.equal(page2.json['jobs'][0].jobId, jobId, 'the next page holds the older job');
  const byKind = await call('GET', '/api/jobs?kind=llm&since=1h');
  assert.deepEqual(
    byKind.json['jobs'].map((j: { jobId: string }) => j.jobId),
    [jobId],
  );

  const history = await call('GET', `/api/jobs/${jobId}/history`);
  assert.ok(history.json['timeline'].some((e: { what: string }) => /lease granted/.test(e.what)));
  const diff = await call('GET', `/api/jobs/${jobId}/diff`);
  assert.equal(diff.status, 200);
  assert.match(diff.json['diff'], /\+hello api/);
});

test('bad bodies get 400 naming the field and value, and nothing is submitted', async () => {
  const before = (await call('GET', '/api/jobs?limit=500')).json['jobs'].length;
  const cases: [unknown, string, RegExp][] = [
    [{ backend: 'command' }, 'prompt', /prompt/],
    [{ prompt: 'x', lane: 'vip' }, 'lane', /lane/],
    [{ prompt: 'x', bogus: 1 }, '(body)', /bogus/],
    [{ prompt: 'x', timeoutSeconds: -5 }, 'timeoutSeconds', /timeoutSeconds/],
    [{ prompt: 'x', kind: 'nope', backend: 'command', repo }, 'kind', /unknown kind "nope"/],
    [{ prompt: 'x', backend: 'nosuch', repo }, 'backend', /nosuch/],
    [{ prompt: 'x', backend: 'command', repo: '/no/such/dir' }, 'repo', /not under repoRoots/],
    [{ prompt: 'x', backend: 'command' }, 'repo', /not under repoRoots/], // the server's own directory
  ];
  for (const [body, field, message] of cases) {
    const r = await call('POST', '/api/jobs', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json['field'], field, JSON.stringify(r.json));
    assert.match(r.json['error'], message);
  }
  const neg = await call('POST', '/api/jobs', { prompt: 'x', timeoutSeconds: -5 });
  assert.equal(neg.json['value'], -5, 'the value is named');
  assert.equal((await call('POST', '/api/jobs', '{not json')).status, 400);
  assert.equal((await call('GET', '/api/jobs?lane=vip')).json['field'], 'lane');
  assert.equal((await call('GET', '/api/jobs?since=yesterday')).json['field'], 'since');
  assert.equal((await call('GET', '/api/stats?by=color')).status, 400);
  assert.equal((await call('GET', '/api/jobs?limit=500')).json['jobs'].length, before, 'nothing was submitted');
});

test('unknown ids are 404; cancelling a finished job is 409', async () => {
  for (const path of [
    '/api/jobs/job-nope',
    '/api/jobs/job-nope/history',
    '/api/chains/chain-nope',
    '/api/compares/cmp-nope',
  ])
    assert.equal((await call('GET', path)).status, 404, path);
  assert.equal((await call('POST', '/api/jobs/job-nope/cancel')).status, 404);
  const { jobId } = (await call('POST', '/api/jobs', { prompt: 'quick', backend: 'command', repo })).json;
  await result(jobId);
  const again = await call('POST', `/api/jobs/${jobId}/cancel`);
  assert.equal(again.status, 409);
  assert.match(again.json['error'], /already finished/);
  assert.equal((await call('GET', '/api/nothing-here')).status, 404);
});

test('SSE delivers a job’s start, progress and end in order; a cancel through the API ends a running job', async () => {
  const stream = readEvents(`${api.url}/api/events`, { authorization: `Bearer ${api.token}` });
  await until('hello', () => stream.events.find((e) => e.type === 'hello'));
  const { jobId } = (await call('POST', '/api/jobs', { prompt: 'slow one', backend: 'command', repo })).json;
  const ended = await until('job.ended', () =>
    stream.events.find((e) => e.type === 'job.ended' && e.data['jobId'] === jobId),
  );
  const mine = stream.events.filter((e) => e.data['jobId'] === jobId).map((e) => e.type);
  const first = (t: string) => mine.indexOf(t);
  assert.ok(first('job.started') >= 0, mine.join(','));
  assert.ok(first('job.progress') > first('job.started'), mine.join(','));
  assert.equal(mine.lastIndexOf('job.ended'), mine.length - 1, 'ended is the last event');
  assert.equal(mine.filter((t) => t === 'job.ended').length, 1, 'ended once');
  assert.equal(ended.data['status'], 'succeeded');
  assert.ok(
    stream.events.some((e) => e.type === 'capacity'),
    'capacity changes are streamed',
  );

  const slow = (await call('POST', '/api/jobs', { prompt: 'slow to cancel', backend: 'command', repo })).json['jobId'];
  await until('running', () => stream.events.find((e) => e.type === 'job.started' && e.data['jobId'] === slow));
  assert.equal((await call('POST', `/api/jobs/${slow}/cancel`)).status, 202);
  const end = await until('cancelled', () =>
    stream.events.find((e) => e.type === 'job.ended' && e.data['jobId'] === slow),
  );
  assert.equal(end.data['status'], 'cancelled', JSON.stringify(end.data).slice(0, 600));
  stream.close();
});

test('a token set: no token or a wrong one is 401, the right one (header) passes', async () => {
  const token = 'a-test-token-of-enough-length';
  const guarded = await startHttpServer({
    config: { ...h.config, http: { ...h.config.http, port: 0, token } },
    client: env.client,
  });
  try {
    const none = { authorization: '' }; // the helper's own header is overridden: no token at all
    assert.equal((await call('GET', '/api/capacity', undefined, none, guarded)).status, 401);
    assert.equal((await call('GET', '/metrics', undefined, none, guarded)).status, 401);
    const wrong = await call(
      'GET',
      '/api/capacity',
      undefined,
      { authorization: 'Bearer wrong-token-wrong-token!' },
      guarded,
    );
    assert.equal(wrong.status, 401);
    const ok = await call('GET', '/api/capacity', undefined, { authorization: `Bearer ${token}` }, guarded);
    assert.equal(ok.status, 200);
    assert.equal(ok.json['slots'].max, h.config.capacity.maxSlots);
    const query = await call('GET', `/api/capacity?access_token=${token}`, undefined, none, guarded);
    assert.equal(query.status, 401, 'a token in the URL (it would reach logs) is not accepted');
    const posted = await call('POST', '/api/jobs', { prompt: 'x', backend: 'command', repo }, none, guarded);
    assert.equal(posted.status, 401, 'no submit without the token');
    assert.equal((await fetch(guarded.url + '/')).status, 200, 'the page shell holds no data');
    const doc = await call('GET', '/api/openapi.json', undefined, { authorization: `Bearer ${token}` }, guarded);
    assert.ok(doc.json['paths']['/api/jobs'].post.requestBody);
  } finally {
    await guarded.close();
  }
});

test('no address serves without a token: one is generated once, kept 0600, then reused', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-token-'));
  const config = parseConfig({ dataDir, http: { host: '0.0.0.0' } });
  const first = resolveToken(config);
  assert.equal(first.generated, true);
  assert.ok((first.token ?? '').length >= 32);
  const file = join(dataDir, 'http-token');
  assert.ok(existsSync(file));
  assert.equal(readFileSync(file, 'utf8').trim(), first.token);
  assert.equal(statSync(file).mode & 0o777, 0o600, 'readable by its owner only');
  const second = resolveToken(config);
  assert.deepEqual(second, { token: first.token, generated: false });
  assert.equal(resolveToken(parseConfig({ dataDir })).token, first.token, 'loopback too: the same kept token');
  assert.equal(resolveToken(parseConfig({ dataDir, http: { token: 'none' } })).token, undefined, 'none: explicit');
  assert.throws(() => parseConfig({ dataDir, http: { token: 'short' } }), /http\.token/);
});
