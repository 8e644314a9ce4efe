// Issue 25 rows 5 and 6: a hostile `command` agent tries the engine's own services (Temporal, the ledger, the HTTP
// API) directly and through the egress proxy, and an allowed and a forbidden host: real bwrap, Temporal, ledger.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveJobSpec } from '../../src/client/job-input.js';
import { jobOutcome, startJob } from '../../src/client/jobs.js';
import { requireTemporalCli } from '../../src/dev/temporal-cli.js';
import type { JobResult } from '../../src/protocol/result.js';
import { bwrapOnHost } from '../../src/sandbox/detect.js';
import { makeRepo } from '../support/repo.js';
import { startTemporal, startWorker, type Harness } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
let allowed: Server;
let api: Server;
const port = (s: Server): number => (s.address() as AddressInfo).port;
const listen = async (s: Server): Promise<Server> => new Promise((ok) => s.listen(0, '127.0.0.1', () => ok(s)));

before(async () => {
  assert.ok(bwrapOnHost().path, `bubblewrap must work here (npm run setup installs it): ${bwrapOnHost().error}`);
  env = await startTemporal();
  allowed = await listen(createServer((_q, r) => r.end('allowed-host-says-hi')));
  api = await listen(createServer((_q, r) => r.end('api-reached'))); // stands in for the worker's HTTP API port
});
after(async () => {
  allowed?.close();
  api?.close();
  await env?.teardown();
});

const COMMAND = { command: '/bin/sh', extraArgs: ['-c', 'eval "$NIGHTSHIFT_PROMPT"'] };

async function runJob(h: Harness, prompt: string): Promise<JobResult> {
  const repo = await makeRepo();
  const spec = resolveJobSpec({ backend: 'command', maxAttempts: 1, kind: 'coding-agent', prompt, repo }, h.config);
  await startJob(env.client, h.config, spec);
  const { result, error } = await jobOutcome(env.client, spec.jobId);
  assert.ok(result, String(error));
  return result;
}

/** Each line `<name> <outcome>`: what the hostile script saw. */
function linesOf(r: JobResult): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of r.finalText.split('\n')) {
    const m = /^(\S+) (.*)$/.exec(l.trim());
    if (m?.[1] && m[2] !== undefined) out.set(m[1], m[2]);
  }
  return out;
}

test('an agent reaches no engine port, directly or through the proxy; an allowed host yes, another a 403', async () => {
  const temporalPort = Number(env.address.split(':').pop());
  const ledgerPort = Number(new URL(process.env['NIGHTSHIFT_LEDGER_URL'] ?? '').port);
  const apiPort = port(api);
  // Even listed in allowHosts, the worker's own ports stay closed: the list is what an operator wrote, not a hole.
  const allowHosts = [`127.0.0.1:${port(allowed)}`, `127.0.0.1:${temporalPort}`, `127.0.0.1:${apiPort}`];
  const h = await startWorker(env, {
    backends: { command: COMMAND },
    sandbox: { allowHosts },
    http: { port: apiPort },
  });
  try {
    const probe = (name: string, p: number): string[] => [
      `curl --noproxy '*' -sS -m 5 -o /dev/null http://127.0.0.1:${p}/ 2>/dev/null; echo "direct-${name} curl=$?"`,
      `node -e 'const s=require("net").connect(${p},"127.0.0.1");s.on("connect",()=>{console.log("node-${name} connected");process.exit(0)});s.on("error",e=>{console.log("node-${name} "+e.code);process.exit(0)})'`,
      `echo "proxied-${name} $(curl -sS -m 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:${p}/ 2>/dev/null)"`,
    ];
    const script = [
      ...probe('temporal', temporalPort),
      ...probe('ledger', ledgerPort),
      ...probe('api', apiPort),
      `${requireTemporalCli()} workflow list --address 127.0.0.1:${temporalPort} --limit 1 >/dev/null 2>&1; echo "temporal-cli exit=$?"`,
      `echo "allowed $(curl -sS -m 5 http://127.0.0.1:${port(allowed)}/)"`,
      `echo "forbidden $(curl -sS -m 5 -o /dev/null -w '%{http_code}' http://example.com/)"`,
      `echo "forbidden-tls $(curl -sS -m 5 -o /dev/null -w '%{http_code}' https://example.com/ 2>&1 | head -c 40)"`,
    ].join('\n');
    const r = await runJob(h, script);
    assert.equal(r.sandbox, 'bwrap');
    const seen = linesOf(r);
    for (const name of ['temporal', 'ledger', 'api']) {
      assert.equal(seen.get(`direct-${name}`), 'curl=7', `${name} directly: ${r.finalText}`); // 7: could not connect
      assert.equal(seen.get(`node-${name}`), 'ECONNREFUSED', `${name} by net.connect: ${r.finalText}`);
    }
    // Through the proxy: temporal and api are in allowHosts and still refused; the ledger is not listed at all.
    for (const name of ['temporal', 'ledger', 'api']) assert.equal(seen.get(`proxied-${name}`), '403', r.finalText);
    assert.notEqual(seen.get('temporal-cli'), 'exit=0', `the bundled temporal CLI listed workflows: ${r.finalText}`);
    assert.equal(seen.get('allowed'), 'allowed-host-says-hi', r.finalText);
    assert.equal(seen.get('forbidden'), '403', r.finalText);
    assert.match(seen.get('forbidden-tls') ?? '', /403|CONNECT/, r.finalText);
  } finally {
    await h.stop();
  }
});

test('agentNetwork none: no proxy at all, even an allowed host is unreachable', async () => {
  const allowHosts = [`127.0.0.1:${port(allowed)}`];
  const sandbox = { agentNetwork: 'none', allowHosts };
  const h = await startWorker(env, { backends: { command: COMMAND }, sandbox });
  try {
    const r = await runJob(
      h,
      `curl -sS -m 5 http://127.0.0.1:${port(allowed)}/ >/dev/null 2>&1; echo "allowed curl=$?"`,
    );
    assert.equal(linesOf(r).get('allowed'), 'curl=7', r.finalText);
  } finally {
    await h.stop();
  }
});

test('a check with checkNetwork goes through the proxy too: allowHosts yes, the engine no', async () => {
  const temporalPort = Number(env.address.split(':').pop());
  const allowHosts = [`127.0.0.1:${port(allowed)}`, `127.0.0.1:${temporalPort}`];
  const sandbox = { checkNetwork: true, allowHosts };
  const h = await startWorker(env, { backends: { command: { command: 'true' } }, sandbox });
  try {
    const script = [
      `echo "allowed $(curl -sS -m 5 http://127.0.0.1:${port(allowed)}/)"`,
      `echo "proxied-temporal $(curl -sS -m 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:${temporalPort}/)"`,
      `curl --noproxy '*' -sS -m 5 -o /dev/null http://127.0.0.1:${temporalPort}/ 2>/dev/null; echo "direct-temporal curl=$?"`,
    ].join('\n');
    const raw = { backend: 'command', maxAttempts: 1, kind: 'coding-agent', prompt: 'x', check: ['sh', '-c', script] };
    const spec = resolveJobSpec({ ...raw, repo: await makeRepo() }, h.config);
    await startJob(env.client, h.config, spec);
    const { result, error } = await jobOutcome(env.client, spec.jobId);
    assert.ok(result, String(error));
    const tail = result.check?.outputTail ?? '';
    assert.equal(result.check?.sandbox, 'bwrap');
    assert.match(tail, /^allowed allowed-host-says-hi$/m, tail);
    assert.match(tail, /^proxied-temporal 403$/m, tail);
    assert.match(tail, /^direct-temporal curl=7$/m, tail);
  } finally {
    await h.stop();
  }
});
