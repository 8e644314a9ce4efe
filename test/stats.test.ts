// stats over a few hundred jobs with known outcomes, run through the real engine with a fast scripted agent.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveJobSpec, type JobInput } from '../src/client/job-input.js';
import { jobOutcome, startJob } from '../src/client/jobs.js';
import { startLedgerServer, type LedgerServer } from '../src/dev/ledger-server.js';
import { openLedger } from '../src/ledger/db.js';
import { ledgerEntryOf } from '../src/ledger/entry.js';
import { percentile, type StatsRow } from '../src/ledger/stats.js';
import type { JobResult } from '../src/protocol/result.js';
import { nightshift } from './support/cli.js';
import { makeRepo } from './support/repo.js';
import { startTemporal, startWorker, type Harness } from './support/temporal.js';

const AGENT = fileURLToPath(new URL('./fixtures/fast-agent.sh', import.meta.url));
const ACTIONS = ['succeed', 'draft', 'fix', 'nothing', 'fail', 'checkfail'] as const;
const KINDS = ['coding-agent', 'writing-review', 'llm'] as const;
const JOBS = 240;
const CHECK = ['sh', '-c', 'grep -qx final out.txt'];

interface Planned {
  input: JobInput;
  status: JobResult['status'];
  revised: boolean;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

/** Job i's input and, worked out by hand from the fast agent's script, what it must come to. */
function plan(i: number, repo: string): Planned {
  const action = ACTIONS[i % ACTIONS.length]!;
  const kind = KINDS[Math.floor(i / ACTIONS.length) % KINDS.length]!;
  const [tin, tout] = [100 + i, 10 + (i % 7)];
  const input: JobInput = {
    prompt: `${action} ${tin} ${tout}`,
    kind,
    backend: 'command',
    lane: i % 4 === 0 ? 'interactive' : 'background',
    repo,
    workspace: 'worktree',
    maxAttempts: 1,
  };
  const p: Planned = {
    input,
    status: 'succeeded',
    revised: false,
    tokensIn: tin,
    tokensOut: tout,
    costUsd: tin / 100_000,
  };
  if (action === 'draft') Object.assign(input, { review: 'command', reviewRounds: 1 }); // author, review (revise), revision, review (approve)
  if (action === 'draft')
    Object.assign(p, {
      revised: true,
      tokensIn: tin + 7 + 5 + 7,
      tokensOut: tout + 3 + 2 + 3,
      costUsd: p.costUsd + 0.0002,
    });
  if (action === 'fix') Object.assign(input, { check: CHECK, fixRounds: 1 });
  if (action === 'fix') Object.assign(p, { revised: true, tokensIn: tin + 11, tokensOut: tout + 4 });
  if (action === 'checkfail') Object.assign(input, { check: CHECK });
  if (action === 'checkfail') p.status = 'failed';
  if (action === 'nothing' && kind === 'coding-agent') p.status = 'no_op';
  if (action === 'fail') Object.assign(p, { status: 'failed', tokensIn: 0, tokensOut: 0, costUsd: 0 });
  return p;
}

let env: TestWorkflowEnvironment;
let h: Harness;
/** Its own ledger: the counts below are of this file's jobs only. */
let ledger: LedgerServer;
const planned: Planned[] = [];
const results: JobResult[] = [];

before(async () => {
  [env, ledger] = await Promise.all([startTemporal(), startLedgerServer({ port: 0 })]);
  h = await startWorker(env, { backends: { command: { command: AGENT } }, ledger: { url: ledger.url } });
  const repo = await makeRepo();
  for (let i = 0; i < JOBS; i++) planned.push(plan(i, repo));
  const specs = planned.map((p) => resolveJobSpec(p.input, h.config));
  for (const spec of specs) await startJob(env.client, h.config, spec);
  for (const spec of specs) {
    const { result } = await jobOutcome(env.client, spec.jobId);
    assert.ok(result, `no result for ${spec.jobId}`);
    results.push(result);
  }
});
after(async () => {
  await h?.stop();
  await env?.teardown();
  await ledger?.stop();
});

/** The expected row for a group, from the plan (statuses, revisions, tokens, cost) and the results (durations). */
function expectedRow(group: string, idx: number[]): Omit<StatsRow, 'costUsd'> & { costUsd: number } {
  const ps = idx.map((i) => planned[i]!);
  const n = (s: JobResult['status']) => ps.filter((p) => p.status === s).length;
  const durations = idx.map((i) => results[i]!.durationMs).sort((a, b) => a - b);
  const revised = ps.filter((p) => p.status === 'succeeded' && p.revised).length;
  return {
    group,
    jobs: ps.length,
    succeeded: n('succeeded'),
    failed: n('failed'),
    noOp: n('no_op'),
    cancelled: 0,
    successRate: n('succeeded') / ps.length,
    revised,
    revisedRate: revised / n('succeeded'),
    p50DurationMs: percentile(durations, 50),
    p95DurationMs: percentile(durations, 95),
    tokensIn: ps.reduce((a, p) => a + p.tokensIn, 0),
    tokensOut: ps.reduce((a, p) => a + p.tokensOut, 0),
    costUsd: ps.reduce((a, p) => a + p.costUsd, 0),
  };
}

interface StatsJson {
  ledger: string;
  rows: StatsRow[];
  total: StatsRow;
}

/** The real CLI, pointed at this file's ledger as a person would: NIGHTSHIFT_LEDGER_URL. */
const cli = (args: string[]) => nightshift(args, { harness: h, env: { NIGHTSHIFT_LEDGER_URL: ledger.url } });

async function statsJson(...args: string[]): Promise<StatsJson> {
  const r = await cli(['stats', '--json', ...args]);
  assert.equal(r.exitCode, 0, r.stderr);
  return JSON.parse(r.stdout) as StatsJson;
}

function assertRow(actual: StatsRow | undefined, expected: ReturnType<typeof expectedRow>): void {
  assert.ok(actual, `no row for ${expected.group}`);
  const { costUsd, ...rest } = actual;
  const { costUsd: want, ...wantRest } = expected;
  assert.deepEqual(rest, wantRest);
  assert.ok(Math.abs(costUsd - want) < 1e-9, `cost ${costUsd} ≠ ${want}`);
}

test('the engine produced the planned outcomes (the ground truth the stats are checked against)', () => {
  assert.equal(results.length, JOBS);
  results.forEach((r, i) => {
    const p = planned[i]!;
    assert.equal(r.status, p.status, `${r.jobId} (${p.input.prompt}, ${p.input.kind})`);
    assert.deepEqual([r.tokens.input, r.tokens.output], [p.tokensIn, p.tokensOut], `${r.jobId} tokens`);
  });
});

/** Job i's group: from its plan (kind, lane), the backend it named, or the host its result names. */
function groupOf(by: 'kind' | 'lane' | 'backend' | 'host', i: number): string {
  if (by === 'backend') return 'command';
  if (by === 'host') return results[i]!.host ?? 'unknown';
  return String(planned[i]!.input[by]);
}

test('stats --by kind / lane / backend / host: every figure equals the hand-computed one', async () => {
  const all = planned.map((_, i) => i);
  for (const by of ['kind', 'lane', 'backend', 'host'] as const) {
    const { rows, total, ledger: shown } = await statsJson('--by', by);
    assert.equal(shown, ledger.url);
    assertRow(total, expectedRow('total', all));
    const groups = [...new Set(all.map((i) => groupOf(by, i)))];
    assert.equal(rows.length, groups.length, `${by}: ${rows.map((r) => r.group).join(', ')}`);
    for (const g of groups) {
      const idx = all.filter((i) => groupOf(by, i) === g);
      assertRow(
        rows.find((r) => r.group === g),
        expectedRow(g, idx),
      );
    }
  }
});

test('a job written twice to the ledger (a retried activity) counts once; --since leaves out older jobs', async () => {
  const before = await statsJson('--by', 'kind');
  const again = await openLedger(ledger.url);
  await Promise.all(results.slice(0, 5).map((r) => again.record(ledgerEntryOf(r)))).finally(() => again.close());
  assert.deepEqual(await statsJson('--by', 'kind'), before);
  assert.equal((await statsJson('--since', '1h')).total.jobs, JOBS);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await statsJson('--since', '1s')).total.jobs, 0);
});

test('stats prints a table; a bad flag value exits 2; a ledger nobody serves exits 3, its password masked', async () => {
  const table = await cli(['stats', '--by', 'lane']);
  assert.equal(table.exitCode, 0, table.stderr);
  assert.match(table.stdout, /^background\s+\d+/m);
  assert.match(table.stdout, /^total\s+240\s/m);
  const bad = await cli(['stats', '--by', 'colour']);
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /--by: expected one of backend, kind, lane, host, got "colour"/);
  const since = await cli(['stats', '--since', 'yesterday']);
  assert.equal(since.exitCode, 2);
  assert.match(since.stderr, /--since: .*got "yesterday"/);
  const url = 'postgres://nightshift:s3cret-pw@127.0.0.1:9/ledger';
  const down = await nightshift(['stats'], { harness: h, env: { NIGHTSHIFT_LEDGER_URL: url } });
  assert.equal(down.exitCode, 3, down.stderr);
  assert.match(down.stderr, /cannot reach the job ledger at postgres:\/\/nightshift:\*\*\*\*@127\.0\.0\.1:9\/ledger/);
  assert.match(down.stderr, /`nightshift dev`.*NIGHTSHIFT_LEDGER_URL/);
  assert.ok(!down.stderr.includes('s3cret-pw'), down.stderr);
});
