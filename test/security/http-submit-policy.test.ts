// Issue 25 row 5 and item 6 on the real server and engine: a submitter is not the operator. A `submit` token gets no
// operator lane (403) and no operator routes; no caller of the API or MCP gets an in-place workspace, a fixed
// workspace path, an unsandboxed run, or a repo outside `repoRoots` (realpath, no `..`, no symlink out) — 400 naming
// the field, nothing submitted; `auto` from outside means a worktree, never the folder itself.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, renameSync, symlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { listJobs } from '../../src/client/list-jobs.js';
import { urlMatches } from '../../src/client/submit-policy.js';
import { ledgerHandle } from '../../src/ledger/handle.js';
import { ledgerUrl } from '../../src/ledger/url.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { makeRepo } from '../support/repo.js';
import { until } from '../support/sse.js';
import { startTemporal, startWorker, type Harness } from '../support/temporal.js';

// A hostile agent: leaves a mark wherever it runs.
const AGENT = 'touch pwned; echo done';
const OPERATOR = 'operator-token-operator-token';
const SUBMIT = 'submit-token-submit-token-submit';

let env: TestWorkflowEnvironment;
let h: Harness;
let api: HttpServer;
let root: string; // the one repo root
let inside: string; // a git repo under it
let plain: string; // a folder under it that is not a git repo
let outside: string; // a git repo elsewhere

before(async () => {
  env = await startTemporal();
  root = mkdtempSync(join(tmpdir(), 'nightshift-root-'));
  inside = join(root, 'app');
  renameSync(await makeRepo(), inside);
  plain = join(root, 'notes');
  mkdirSync(plain);
  outside = await makeRepo();
  symlinkSync(outside, join(root, 'link-out'));
  h = await startWorker(env, {
    backends: { command: { command: 'sh', extraArgs: ['-c', AGENT] } },
    repoRoots: [root, 'https://git.example/acme/*'],
    http: { port: 0, token: OPERATOR, tokens: [{ token: SUBMIT, scope: 'submit' }] },
  });
  api = await startHttpServer({ config: h.config, client: env.client });
});
after(async () => {
  await api?.close();
  await h?.stop();
  await env?.teardown();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field
type Json = Record<string, any>;
async function call(
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const res = await fetch(api.url + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Json };
}
const jobCount = async (): Promise<number> => (await listJobs(env.client, h.config, { limit: 500 })).rows.length;
const ended = (token: string, jobId: string): Promise<Json> =>
  until(`${jobId} ended`, async () => {
    const r = await call(token, 'GET', `/api/jobs/${jobId}`);
    return r.json['result'] && r.json['workflowStatus'] !== 'RUNNING' ? r.json['result'] : undefined;
  });

test('a submit token: the operator lane is 403 naming it; operator routes are 403; its own job runs', async () => {
  const before = await jobCount();
  const lane = await call(SUBMIT, 'POST', '/api/jobs', {
    prompt: 'x',
    backend: 'command',
    repo: inside,
    lane: 'operator',
  });
  assert.equal(lane.status, 403, JSON.stringify(lane.json));
  assert.equal(lane.json['field'], 'lane');
  assert.equal(lane.json['value'], 'operator');
  const resume = { prompt: 'x', backend: 'command', repo: inside, resumeSessionId: 'another-jobs-session' };
  const resumed = await call(SUBMIT, 'POST', '/api/jobs', resume);
  assert.equal(resumed.status, 403, JSON.stringify(resumed.json));
  assert.equal(resumed.json['field'], 'resumeSessionId', 'another job’s conversation is the operator’s to reopen');
  for (const path of ['/api/capacity', '/metrics', '/api/jobs', '/api/events', '/api/stats'])
    assert.equal((await call(SUBMIT, 'GET', path)).status, 403, path);
  assert.equal(await jobCount(), before, 'nothing was submitted');
  const ok = await call(SUBMIT, 'POST', '/api/jobs', { prompt: 'x', backend: 'command', repo: inside });
  assert.equal(ok.status, 201, JSON.stringify(ok.json));
  const result = await ended(SUBMIT, ok.json['jobId']);
  assert.equal(result.status, 'succeeded');
  assert.deepEqual(result.filesChanged, ['pwned'], 'it worked in a worktree of the repo');
  assert.equal(existsSync(join(inside, 'pwned')), false, 'not in the repo itself');
  const op = await call(OPERATOR, 'POST', '/api/jobs', {
    prompt: 'x',
    backend: 'command',
    workspace: 'none',
    lane: 'operator',
  });
  assert.equal(op.status, 201, 'an operator token may use the operator lane');
  assert.equal((await ended(OPERATOR, op.json['jobId'])).status, 'succeeded');
});

test('row 5: no API caller gets in-place, a fixed path, no sandbox, the home, or a repo outside the roots', async () => {
  const before = await jobCount();
  const cases: [Json, string][] = [
    [{ repo: inside, workspace: 'in-place' }, 'workspace'],
    [{ repo: homedir(), workspace: 'in-place', lane: 'operator' }, 'workspace'],
    [{ repo: homedir() }, 'repo'],
    [{ repo: outside }, 'repo'],
    [{ repo: join(root, 'link-out') }, 'repo'], // a symlink in the root that leads out
    [{ repo: `${root}/../${root.split('/').pop()!}/app` }, 'repo'], // `..`, even one that comes back
    [{ repo: join(root, 'missing') }, 'repo'], // the same answer whether or not the path exists
    [{}, 'repo'], // the server's own working directory
    [{ repo: 'https://git.example/evil/tool' }, 'repo'],
    [{ repo: 'https://git.example/acme/%2e%2e/evil' }, 'repo'],
    [{ repo: inside, workspacePath: '/root' }, 'workspacePath'],
    [{ repo: inside, sandbox: 'off' }, 'sandbox'],
  ];
  for (const token of [OPERATOR, SUBMIT])
    for (const [extra, named] of cases) {
      // The row's exact request with a submit token is refused for its lane first: 403, the scope's.
      const [status, field] = token === SUBMIT && extra['lane'] === 'operator' ? [403, 'lane'] : [400, named];
      const r = await call(token, 'POST', '/api/jobs', { prompt: 'x', backend: 'command', ...extra });
      assert.equal(r.status, status, `${JSON.stringify(extra)} → ${JSON.stringify(r.json)}`);
      assert.equal(r.json['field'], field, JSON.stringify(r.json));
      assert.match(r.json['error'], new RegExp(`^${field}: `));
    }
  assert.equal(await jobCount(), before, 'nothing was submitted');
});

test('workspace auto on a folder that is not a git repo does not run in it', async () => {
  const r = await call(SUBMIT, 'POST', '/api/jobs', { prompt: 'x', backend: 'command', repo: plain });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const result = await ended(SUBMIT, r.json['jobId']);
  assert.equal(result.status, 'failed');
  assert.equal(existsSync(join(plain, 'pwned')), false, 'the agent never ran in the folder');
});

test('URL roots: a `*` is one path segment, a prefix ends at a slash', () => {
  assert.ok(urlMatches('https://git.example/acme/tool', 'https://git.example/acme/*'));
  assert.ok(!urlMatches('https://git.example/acme/tool/sub', 'https://git.example/acme/*'));
  assert.ok(!urlMatches('https://git.example/acme-evil/tool', 'https://git.example/acme'));
  assert.ok(urlMatches('https://git.example/acme/tool', 'https://git.example/acme'));
  assert.ok(urlMatches('git@git.example:acme/tool.git', 'git@git.example:acme/**'));
});

test('MCP submits follow the same policy: a tool error naming the field, nothing submitted', async () => {
  const ledger = ledgerHandle(ledgerUrl(h.config));
  const server = createMcpServer({ config: h.config, client: env.client, ledger });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const mcp = new McpClient({ name: 'test', version: '0' });
  await mcp.connect(b);
  try {
    const before = await jobCount();
    for (const [args, field] of [
      [{ task: 'x', backend: 'command', repo: outside }, 'repo'],
      [{ task: 'x', backend: 'command', repo: homedir() }, 'repo'],
      [{ task: 'x', backend: 'command', lane: 'operator' }, 'lane'],
    ] as const) {
      const r = await mcp.callTool({ name: 'nightshift_submit', arguments: args });
      const text = (r.content as { text: string }[])[0]?.text ?? '';
      assert.equal(r.isError, true, text);
      assert.match(text, new RegExp(`^${field}: `));
    }
    assert.equal(await jobCount(), before, 'nothing was submitted');
    const ok = await mcp.callTool({
      name: 'nightshift_submit',
      arguments: { task: 'x', backend: 'command', repo: inside },
    });
    assert.notEqual(ok.isError, true, JSON.stringify(ok.content));
    const { jobId } = JSON.parse((ok.content as { text: string }[])[0]!.text) as { jobId: string };
    assert.equal((await ended(OPERATOR, jobId)).status, 'succeeded', 'a job in a repo under the roots runs');
  } finally {
    await mcp.close();
    await server.close();
    await ledger.close();
  }
});
