// GET /metrics on the real engine: the capacity gauges against `nightshift capacity --json`, the job counters and
// histograms against the ledger, and the Temporal SDK's own metrics from a `nightshift worker` process.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { after, before, test } from 'node:test';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { execa } from 'execa';
import { resolveJobSpec, type JobInput } from '../src/client/job-input.js';
import { capacityView, startJob } from '../src/client/jobs.js';
import { loadConfig, parseConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { freePort } from '../src/dev/demo/demo-setup.js';
import { startHttpServer, type HttpServer } from '../src/http/server.js';
import type { Ledger } from '../src/ledger/db.js';
import { ledgerHandle } from '../src/ledger/handle.js';
import type { CapacityView } from '../src/protocol/capacity.js';
import { nightshift } from './support/cli.js';
import {
  dashboardExprs,
  familyOf,
  histogramProblems,
  key,
  metricNamesIn,
  parsePromText,
  samplesOf,
  sampleValue,
  sumOf,
  type PromFamily,
  type PromLabels,
} from './support/prom-text.js';
import { waitFor } from './support/procs.js';
import { slowAgent } from './support/slow-agent.js';
import { startTemporal, startWorker } from './support/temporal.js';

const BIN = fileURLToPath(new URL('../bin/nightshift.js', import.meta.url));
const FAST_AGENT = fileURLToPath(new URL('./fixtures/fast-agent.sh', import.meta.url));
const DASHBOARD = JSON.parse(
  readFileSync(new URL('../deploy/grafana/dashboards/nightshift.json', import.meta.url), 'utf8'),
) as unknown;
const TOKEN = 'metrics-test-token-0123456789';

let env: TestWorkflowEnvironment;
let ledger: Ledger;
before(async () => {
  env = await startTemporal();
  // startTemporal's embedded ledger, where every worker records: it may still be booting (then a connect times out).
  const handle = ledgerHandle(process.env['NIGHTSHIFT_LEDGER_URL']!);
  await waitFor(
    'the ledger',
    () =>
      handle.get().then(
        () => true,
        () => false,
      ),
    60_000,
  );
  ledger = await handle.get();
});
after(async () => {
  await ledger?.close();
  await env?.teardown();
});

const serve = (config: Config, opts: { client?: Client; ledgerUrl?: string } = {}): Promise<HttpServer> =>
  startHttpServer({
    config: { ...config, http: { ...config.http, port: 0, token: TOKEN } },
    client: opts.client ?? env.client,
    ...(opts.ledgerUrl ? { ledger: ledgerHandle(opts.ledgerUrl) } : {}),
  });

async function scrape(server: HttpServer) {
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePromText(await res.text());
}

const submit = (config: Config, input: JobInput) =>
  startJob(
    env.client,
    config,
    resolveJobSpec({ kind: 'llm', backend: 'command', workspace: 'none', ...input }, config),
  );

type Scrape = Map<string, PromFamily>;

/** The gauges `nightshift capacity --json`'s view implies (the spec of each, written out here), by key(). */
function gaugesOfView(v: CapacityView, backends: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (name: string, labels: PromLabels, value: number) => void (out[key(name, labels)] = value);
  for (const [lane, l] of Object.entries(v.lanes)) {
    put('nightshift_slots_used', { lane }, l.running);
    put('nightshift_queue_depth', { lane }, l.queued);
    put('nightshift_queue_deferred', { lane }, l.deferred);
  }
  put('nightshift_slots_max', {}, v.slots.max);
  put('nightshift_slots_reserved_operator', {}, v.slots.reservedOperator);
  put('nightshift_tokens_in_window', {}, v.tokens.inWindow);
  put('nightshift_token_budget', {}, v.tokens.budget);
  put('nightshift_backpressure', {}, v.backpressure.on ? 1 : 0);
  for (const backend of backends) {
    put('nightshift_backend_limited', { backend }, v.limitedBackends[backend] === undefined ? 0 : 1);
    put('nightshift_backend_auth_broken', { backend }, v.authBroken[backend] === undefined ? 0 : 1);
  }
  return out;
}

const STATUSES = { succeeded: 'succeeded', failed: 'failed', no_op: 'noOp', cancelled: 'cancelled' } as const;

/** Where the scrape's job counters and histograms differ from the ledger's own figures (`nightshift stats`' SQL). */
async function ledgerMismatches(m: Scrape, ledger: Ledger): Promise<string[]> {
  const [byBackend, byKind, classes] = await Promise.all([
    ledger.stats('backend'),
    ledger.stats('kind'),
    ledger.db.query<{ c: string; n: number }>(
      'SELECT failure_class AS c, count(*)::float8 AS n FROM ledger_jobs WHERE failure_class IS NOT NULL GROUP BY 1',
    ),
  ]);
  const out = histogramProblems(m);
  const check = (what: string, got: number, want: number) =>
    Math.abs(got - want) > 1e-9 && out.push(`${what}: /metrics ${got}, ledger ${want}`);
  for (const [label, stats] of [
    ['backend', byBackend],
    ['kind', byKind],
  ] as const)
    for (const row of stats.rows)
      for (const [status, field] of Object.entries(STATUSES))
        check(
          `${status} ${label}=${row.group}`,
          sumOf(m, 'nightshift_jobs_ended_total', { [label]: row.group, status }),
          row[field],
        );
  for (const { group: backend, costUsd, tokensIn, tokensOut, jobs } of byBackend.rows) {
    check(`cost ${backend}`, sumOf(m, 'nightshift_cost_usd_total', { backend }), costUsd);
    check(`tokens in ${backend}`, sumOf(m, 'nightshift_tokens_total', { backend, direction: 'input' }), tokensIn);
    check(`tokens out ${backend}`, sumOf(m, 'nightshift_tokens_total', { backend, direction: 'output' }), tokensOut);
    check(`durations ${backend}`, sumOf(m, 'nightshift_agent_duration_seconds_count', { backend }), jobs);
  }
  check('jobs ended', sumOf(m, 'nightshift_jobs_ended_total'), byBackend.total.jobs);
  check('lease waits', sumOf(m, 'nightshift_lease_wait_seconds_count'), byBackend.total.jobs);
  for (const { c, n } of classes.rows)
    check(`failures ${c}`, sumOf(m, 'nightshift_job_failures_total', { class: c }), n);
  const failures = classes.rows.reduce((sum, r) => sum + r.n, 0);
  check('failures', sumOf(m, 'nightshift_job_failures_total'), failures);
  return out;
}

/** Polls until the figures agree, then returns; on a timeout, the last difference is the error. */
async function untilAgreed(what: string, differences: () => Promise<unknown[]>, timeoutMs = 60_000): Promise<void> {
  let last: unknown[] = [];
  await waitFor(what, async () => (last = await differences()).length === 0, timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify(last)}`);
  });
}

test('capacity gauges equal `nightshift capacity --json` while agents hold every slot; ended jobs equal the ledger', async () => {
  const agent = slowAgent(60);
  const h = await startWorker(env, {
    backends: { command: agent.backend },
    sandbox: agent.sandbox,
    capacity: { maxSlots: 3, reservedOperatorSlots: 1, backpressureQueueDepth: 2 },
  });
  const server = await serve(h.config);
  try {
    // 2 shared slots and 1 for the operator: 3 agents sleep in them, 3 jobs wait (queued, or deferred by backpressure).
    const lanes = ['background', 'background', 'background', 'background', 'interactive', 'operator'] as const;
    const handles = [];
    for (const [i, lane] of lanes.entries()) handles.push(await submit(h.config, { prompt: `hold ${i}`, lane }));
    const holding = async () => {
      const v = await capacityView(env.client, h.config);
      const waiting = Object.values(v.lanes).reduce((n, l) => n + l.queued + l.deferred, 0);
      return agent.intervals().size === 3 && v.slots.used === 3 && waiting === 3;
    };
    await waitFor('3 agents holding every slot, 3 jobs waiting', holding, 90_000);
    await untilAgreed('/metrics and `nightshift capacity --json` to agree', async () => {
      const [m, cli] = await Promise.all([
        scrape(server),
        nightshift(['capacity', '--json'], { address: env.address, harness: h }),
      ]);
      const backends = (m.get('nightshift_backend_limited')?.samples ?? []).map((s) => s.labels['backend'] ?? '');
      const want = gaugesOfView(JSON.parse(cli.stdout) as CapacityView, backends);
      const got = samplesOf(m, want);
      return isDeepStrictEqual(got, want) ? [] : [{ got, want }];
    });
    const m = await scrape(server);
    assert.equal(sampleValue(m, 'nightshift_engine_up'), 1);
    assert.equal(sampleValue(m, 'nightshift_slots_max'), 3);
    for (const backend of ['command', 'claude'])
      assert.equal(sampleValue(m, 'nightshift_backend_auth_broken', { backend }), 0, `${backend}: configured, default`);

    // Every job ends: the six cancelled, then one whose agent outlives its timeout (failed).
    await Promise.all(handles.map((j) => j.cancel()));
    await Promise.allSettled(handles.map((j) => j.result()));
    const late = await submit(h.config, { prompt: 'too slow', lane: 'interactive', timeoutSeconds: 2, maxAttempts: 1 });
    await late.result().catch(() => undefined);
    const recorded = (ids: string[]) =>
      ledger.db.query(`SELECT 1 FROM ledger_jobs WHERE job_id IN (${ids.map((_, i) => `$${i + 1}`).join(',')})`, ids);
    const ids = [...handles, late].map((j) => j.workflowId);
    await waitFor('the 7 jobs in the ledger', async () => (await recorded(ids)).rows.length === 7);
    await untilAgreed('/metrics and the ledger to agree', async () => ledgerMismatches(await scrape(server), ledger));
    const ended = await scrape(server);
    const count = (status: string) => sumOf(ended, 'nightshift_jobs_ended_total', { backend: 'command', status });
    assert.ok(
      count('cancelled') >= 6 && count('failed') >= 1,
      JSON.stringify(ended.get('nightshift_jobs_ended_total')),
    );
  } finally {
    await server.close();
    await h.stop();
  }
});

test('with the ledger or the engine unreachable, /metrics still answers the other and says which is down', async () => {
  const config = parseConfig({
    dataDir: mkdtempSync(join(tmpdir(), 'metrics-')),
    temporal: { taskQueue: `metrics-idle-${process.pid}` }, // no singleton yet: the idle view of these settings
    ledger: { url: process.env['NIGHTSHIFT_LEDGER_URL'] },
    capacity: { maxSlots: 5, reservedOperatorSlots: 2 },
  });
  // An engine that cannot answer the capacity query, at once (an unreachable address: after a 5 s deadline, and
  // closing its connection meanwhile trips the SDK's pending gRPC retry).
  const noNamespace = new Client({ connection: env.client.connection, namespace: 'no-such-namespace' });
  // Several apps in one process: each has its own registry.
  const [noLedger, noEngine] = await Promise.all([
    serve(config, { ledgerUrl: 'postgres://nightshift:pw@127.0.0.1:1/none' }),
    serve(config, { client: noNamespace }),
  ]);
  try {
    const [a, b] = await Promise.all([scrape(noLedger), scrape(noEngine)]);
    assert.deepEqual([sampleValue(a, 'nightshift_engine_up'), sampleValue(a, 'nightshift_ledger_up')], [1, 0]);
    assert.deepEqual(
      [sampleValue(a, 'nightshift_slots_max'), sampleValue(a, 'nightshift_slots_reserved_operator')],
      [5, 2],
    );
    assert.equal(sampleValue(a, 'nightshift_slots_used', { lane: 'background' }), 0);
    assert.deepEqual(a.get('nightshift_jobs_ended_total')?.samples, [], 'no counts: unknown, not zero');
    assert.equal(a.get('nightshift_agent_duration_seconds')?.type, 'histogram');

    assert.deepEqual([sampleValue(b, 'nightshift_engine_up'), sampleValue(b, 'nightshift_ledger_up')], [0, 1]);
    assert.equal(sampleValue(b, 'nightshift_slots_max'), undefined, 'no capacity figure: unknown, not zero');
    assert.deepEqual(await ledgerMismatches(b, ledger), []);
  } finally {
    await Promise.all([noLedger.close(), noEngine.close()]);
  }
});

test('`nightshift worker` with metrics.workerBindAddress serves the Temporal SDK metrics the dashboard charts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metrics-worker-'));
  const port = await freePort();
  const file = join(dir, 'nightshift.config.json');
  const raw = { metrics: { workerBindAddress: `127.0.0.1:${port}` }, backends: { command: { command: FAST_AGENT } } };
  writeFileSync(file, JSON.stringify(raw));
  const workerEnv = {
    NIGHTSHIFT_CONFIG: file,
    TEMPORAL_ADDRESS: env.address,
    NIGHTSHIFT_TASK_QUEUE: `metrics-${process.pid}-${Date.now()}`,
    NIGHTSHIFT_DATA_DIR: dir,
    NIGHTSHIFT_LOG_LEVEL: 'warn',
  };
  const worker = execa('node', [BIN, 'worker'], { reject: false, stdin: 'ignore', env: workerEnv });
  const sdk = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
    return res?.ok ? parsePromText(await res.text()) : undefined;
  };
  const config = loadConfig(dir, { ...process.env, ...workerEnv });
  const server = await serve(config);
  try {
    await waitFor('the worker polling', async () => (await sdk())?.has('temporal_num_pollers') === true, 90_000);
    // A job that succeeds (tokens and a cost) and one that fails: what the SDK's activity and workflow metrics count.
    for (const prompt of ['succeed 120 12', 'fail 0 0'])
      await (await submit(config, { prompt, maxAttempts: 1 })).result().catch(() => undefined);
    const charted = [...new Set(dashboardExprs(DASHBOARD).flatMap(metricNamesIn))].filter((n) =>
      n.startsWith('temporal_'),
    );
    assert.ok(charted.length >= 5, `the dashboard charts SDK metrics: ${charted.join(', ')}`);
    await untilAgreed('every SDK metric the dashboard charts', async () => {
      const m = (await sdk()) ?? new Map();
      return charted.filter((name) => !familyOf(m, name));
    });
    await untilAgreed('/metrics and the ledger to agree', async () => ledgerMismatches(await scrape(server), ledger));
    const m = await scrape(server);
    assert.ok((sampleValue(m, 'nightshift_tokens_total', { backend: 'command', direction: 'input' }) ?? 0) >= 120);
    assert.ok((sampleValue(m, 'nightshift_cost_usd_total', { backend: 'command' }) ?? 0) > 0);
    assert.ok((sampleValue(m, 'nightshift_job_failures_total', { class: 'AgentCrashed' }) ?? 0) >= 1);
  } finally {
    await server.close();
    worker.kill('SIGTERM');
    await worker;
  }
});
