// `auto` routing: the pure choice from seeded figures, the ledger's SQL, `nightshift routes`, and a job submitted
// with `--backend auto` on a real worker carrying its route in the result.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { unavailableOf } from '../src/client/auto-route.js';
import { chooseBackend, exploreDraw, type AutoOptions } from '../src/client/route-choice.js';
import { startHttpServer } from '../src/http/server.js';
import { openLedger, type Ledger } from '../src/ledger/db.js';
import type { LedgerEntry } from '../src/ledger/entry.js';
import type { RouteFigures } from '../src/protocol/job.js';
import type { JobResult } from '../src/protocol/result.js';
import { nightshift } from './support/cli.js';
import { sharedLedgerUrl } from './support/postgres.js';
import { slowAgent } from './support/slow-agent.js';
import { startTemporal, startWorker, type Harness } from './support/temporal.js';

const NOW = Date.now();
const DAY = 86_400_000;
const OPTS: AutoOptions = { minSamples: 10, explore: 0.1 };

function fig(kind: string, backend: string, f: Partial<RouteFigures> & { jobs: number }): RouteFigures {
  const firstPass = f.firstPass ?? f.jobs;
  const revised = f.revised ?? 0;
  return {
    kind,
    backend,
    succeeded: firstPass + revised,
    cancelled: 0,
    firstPass,
    revised,
    costPerSuccess: null,
    p50DurationMs: null,
    ...f,
  };
}

/** A job id whose draw falls in the explore share (`inside`) or outside it. */
function jobIdWhere(inside: boolean): string {
  for (let i = 0; ; i++) if (exploreDraw(`job-draw-${i}`) < OPTS.explore === inside) return `job-draw-${i}`;
}

describe('chooseBackend (pure)', () => {
  const figures = [
    fig('coding-agent', 'codex', { jobs: 48, firstPass: 44, costPerSuccess: 0.11 }),
    fig('coding-agent', 'claude', { jobs: 40, firstPass: 30, revised: 6, costPerSuccess: 0.05 }),
    fig('llm', 'codex', { jobs: 20, firstPass: 10 }),
    fig('llm', 'claude', { jobs: 30, firstPass: 27 }),
  ];
  const all = ['claude', 'codex'];

  test('the best score per kind wins; the reason names its figures', () => {
    const coding = chooseBackend('coding-agent', figures, all, {}, OPTS);
    assert.equal(coding.backend, 'codex');
    assert.equal(coding.reason, 'auto → codex: 92% first-pass over 48 jobs, $0.11/success');
    assert.equal(coding.explored, false);
    assert.equal(coding.figures.length, 2);
    assert.equal(chooseBackend('llm', figures, all, {}, OPTS).backend, 'claude');
  });

  test('a revised success counts half: 10 revised successes lose to 6 first-pass ones out of 10', () => {
    const f = [fig('k', 'a', { jobs: 10, firstPass: 0, revised: 10 }), fig('k', 'b', { jobs: 10, firstPass: 6 })];
    assert.equal(chooseBackend('k', f, ['a', 'b'], {}, OPTS).backend, 'b');
  });

  test('a tie on score goes to the lower cost per success, then the lower p50', () => {
    const byCost = [
      fig('k', 'a', { jobs: 10, costPerSuccess: 0.3, p50DurationMs: 1 }),
      fig('k', 'b', { jobs: 20, costPerSuccess: 0.2, p50DurationMs: 9 }),
    ];
    assert.equal(chooseBackend('k', byCost, ['a', 'b'], {}, OPTS).backend, 'b');
    const byP50 = [
      fig('k', 'a', { jobs: 10, costPerSuccess: 0.2, p50DurationMs: 5000 }),
      fig('k', 'b', { jobs: 10, costPerSuccess: 0.2, p50DurationMs: 3000 }),
    ];
    const d = chooseBackend('k', byP50, ['a', 'b'], {}, OPTS);
    assert.equal(d.backend, 'b');
    const unknownCost = [fig('k', 'a', { jobs: 10, p50DurationMs: 2000 }), fig('k', 'b', { jobs: 10 })];
    assert.equal(
      chooseBackend('k', unknownCost, ['b', 'a'], {}, OPTS).reason,
      'auto → a: 100% first-pass over 10 jobs, p50 2.0s',
    );
  });

  test('too few samples: explored by the jobs whose id draws inside the share, the others get the best', () => {
    const f = [...figures, fig('coding-agent', 'gemini', { jobs: 3 })];
    const cands = [...all, 'gemini'];
    const inside = chooseBackend('coding-agent', f, cands, {}, { ...OPTS, jobId: jobIdWhere(true) });
    assert.deepEqual([inside.backend, inside.explored], ['gemini', true]);
    assert.equal(inside.reason, 'auto → gemini: exploring (3 jobs < 10)');
    const outside = chooseBackend('coding-agent', f, cands, {}, { ...OPTS, jobId: jobIdWhere(false) });
    assert.deepEqual([outside.backend, outside.explored], ['codex', false]);
    assert.equal(exploreDraw('job-x'), exploreDraw('job-x'), 'the draw is reproducible');
  });

  test('limited and auth-broken backends are skipped, and the reason says so', () => {
    const unavailable = unavailableOf({
      limitedBackends: { codex: NOW + 60_000, gemini: NOW - 1 },
      authBroken: { claude: { since: NOW, message: 'expired' } },
    });
    assert.deepEqual(unavailable, { codex: 'rate-limited', claude: 'auth broken' });
    const f = [...figures, fig('coding-agent', 'gemini', { jobs: 12, firstPass: 6 })];
    const d = chooseBackend('coding-agent', f, ['claude', 'codex', 'gemini'], unavailable, OPTS);
    assert.equal(d.backend, 'gemini');
    assert.match(d.reason, /; skipped claude \(auth broken\), codex \(rate-limited\)$/);
  });

  test('no candidate with data and none explored: the first candidate, and the reason says so', () => {
    const d = chooseBackend('writing-review', figures, ['claude', 'codex'], {}, { ...OPTS, jobId: jobIdWhere(false) });
    assert.equal(d.backend, 'claude');
    assert.equal(d.reason, "auto → claude: no candidate has 10 jobs yet, the route's first backend");
  });
});

/** A finished job for the ledger: `ago` ms before now. */
function entry(
  jobId: string,
  kind: string,
  backend: string,
  status: LedgerEntry['status'],
  o: Partial<LedgerEntry> & { ago?: number } = {},
): LedgerEntry {
  const { ago = 3600_000, ...rest } = o;
  const durationMs = rest.durationMs ?? 1000;
  return {
    jobId,
    status,
    backend,
    kind,
    lane: 'background',
    host: 'unknown',
    queuedAt: NOW - ago - durationMs,
    finishedAt: NOW - ago,
    durationMs,
    leaseWaitMs: 0,
    tokensIn: 0,
    tokensOut: 0,
    cacheRead: 0,
    cacheWrite: 0,
    attempts: 1,
    revised: false,
    reviewed: false,
    ...rest,
  };
}

const seq = (n: number, f: (i: number) => LedgerEntry): LedgerEntry[] => Array.from({ length: n }, (_, i) => f(i));

describe('with the ledger and the real CLI', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  let ledger: Ledger;
  let configFile: string;
  const cli = (...args: string[]) =>
    nightshift(args, { address: env.address, harness: h, env: { NIGHTSHIFT_CONFIG: configFile } });

  before(async () => {
    env = await startTemporal();
    const estimates = { 'auto-b': 1000, 'auto-c': 1000, llm: 1000 };
    h = await startWorker(env, { backends: { command: slowAgent(0).backend }, estimates });
    ledger = await openLedger(await sharedLedgerUrl());
    configFile = join(mkdtempSync(join(tmpdir(), 'nightshift-auto-')), 'config.json');
    const routes = { 'auto-c': { backend: 'auto' } };
    writeFileSync(
      configFile,
      JSON.stringify({ backends: h.config.backends, estimates, routes, ledger: h.config.ledger }),
    );
  });
  after(async () => {
    await ledger?.close();
    await h?.stop();
    await env?.teardown();
  });

  test('the SQL figures per (kind, backend) over the window, and `routes --json` picks the best', async () => {
    await ledger.recordMany([
      // claude: 4 first-pass, 2 revised, 1 failed, 1 cancelled (cancelled leaves the score's denominator)
      ...seq(4, (i) =>
        entry(`job-b-c${i}`, 'auto-b', 'claude', 'succeeded', { costUsd: 0.1, durationMs: 1000 * (i + 1) }),
      ),
      ...seq(2, (i) =>
        entry(`job-b-r${i}`, 'auto-b', 'claude', 'succeeded', { revised: true, costUsd: 0.2, durationMs: 9000 }),
      ),
      entry('job-b-f0', 'auto-b', 'claude', 'failed', { costUsd: 0.4, durationMs: 500 }),
      entry('job-b-x0', 'auto-b', 'claude', 'cancelled', { durationMs: 100 }),
      entry('job-b-old', 'auto-b', 'claude', 'failed', { ago: 20 * DAY }), // outside the 14-day window
      // command: 10 first-pass, no cost known
      ...seq(10, (i) => entry(`job-b-m${i}`, 'auto-b', 'command', 'succeeded', { durationMs: 2000 })),
    ]);
    const rows = (await ledger.routing(NOW - 14 * DAY)).filter((r) => r.kind === 'auto-b');
    assert.deepEqual(rows, [
      {
        kind: 'auto-b',
        backend: 'claude',
        jobs: 8,
        succeeded: 6,
        cancelled: 1,
        firstPass: 4,
        revised: 2,
        costPerSuccess: 0.2, // (4·0.1 + 2·0.2 + 0.4) / 6, summed as numeric
        p50DurationMs: 2000,
      },
      {
        kind: 'auto-b',
        backend: 'command',
        jobs: 10,
        succeeded: 10,
        cancelled: 0,
        firstPass: 10,
        revised: 0,
        costPerSuccess: null,
        p50DurationMs: 2000,
      },
    ]);
    const r = await cli('routes', '--json');
    assert.equal(r.exitCode, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      kinds: { kind: string; backend: string; reason: string; candidates: { backend: string; jobs: number }[] }[];
    };
    const b = out.kinds.find((k) => k.kind === 'auto-b');
    assert.equal(b?.backend, 'command');
    assert.equal(b?.reason, 'auto → command: 100% first-pass over 10 jobs, p50 2.0s');
    assert.deepEqual(
      b?.candidates.map((c) => [c.backend, c.jobs]),
      [
        ['claude', 8],
        ['command', 10],
      ],
    );
    const text = await cli('routes');
    assert.equal(text.exitCode, 0, text.stderr);
    assert.match(text.stdout, /auto-b {2}\(route: none\)\n {2}auto → command: 100% first-pass/);
  });

  test('`submit --backend auto` (and a route of auto) runs on the chosen backend; the result carries the route', async () => {
    // claude (the default backend, its CLI installed) half fails; command always succeeds.
    await ledger.recordMany([
      ...seq(10, (i) => entry(`job-c-c${i}`, 'auto-c', 'claude', i % 2 ? 'failed' : 'succeeded')),
      ...seq(10, (i) => entry(`job-c-m${i}`, 'auto-c', 'command', 'succeeded')),
    ]);
    for (const flags of [['--backend', 'auto'], []]) {
      const r = await cli(
        'submit',
        'hello auto',
        '--kind',
        'auto-c',
        '--workspace',
        'none',
        ...flags,
        '--wait',
        '--json',
      );
      assert.equal(r.exitCode, 0, r.stderr);
      const result = JSON.parse(r.stdout) as JobResult;
      assert.equal(result.backend, 'command');
      assert.equal(result.route?.chosen, 'command');
      assert.match(result.route?.reason ?? '', /^auto → command: 100% first-pass over 1\d jobs, p50 /);
      const history = await cli('history', result.jobId);
      assert.match(history.stdout, /queued: auto-c job on command, lane background \(auto → command: /);
    }
  });

  test('POST /api/jobs with backend auto answers the route and the job runs there', async () => {
    const config = { ...h.config, routes: { 'auto-c': { backend: 'auto', fallbacks: [] } } };
    const api = await startHttpServer({ config: { ...config, http: { ...config.http, port: 0 } }, client: env.client });
    try {
      const body = { prompt: 'hello http', kind: 'auto-c', workspace: 'none', backend: 'auto' };
      const res = await fetch(`${api.url}/api/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(api.token ? { authorization: `Bearer ${api.token}` } : {}) },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as { jobId: string; route?: { chosen: string; reason: string } };
      assert.equal(res.status, 201, JSON.stringify(json));
      assert.equal(json.route?.chosen, 'command');
      const result = (await env.client.workflow.getHandle(json.jobId).result()) as JobResult;
      assert.deepEqual(result.route, json.route);
    } finally {
      await api.close();
    }
  });
});
