// Webhook notifications on the real engine: a local receiver gets exactly one POST per ended job and webhook (also
// across a worker restart), retries reach a flaky receiver, a dead one never fails a job; Slack text; the
// capacity singleton's episodes; the digest's figures over a seeded window, and its schedule.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveJobSpec } from '../src/client/job-input.js';
import { capacitySettings } from '../src/config/capacity-settings.js';
import { parseConfig } from '../src/config/load.js';
import { jobOutcome, jobProgress, startJob } from '../src/client/jobs.js';
import type { LedgerEntry } from '../src/ledger/entry.js';
import { openLedger } from '../src/ledger/db.js';
import { capacityWorkflowId } from '../src/protocol/ids.js';
import type { Lane } from '../src/protocol/job.js';
import { backendLimited, notifyWorkflowId, type Digest, type NotifyOutcome } from '../src/protocol/notify.js';
import type { JobResult } from '../src/protocol/result.js';
import { backendAuthBrokenSignal, backendLimitedSignal } from '../src/protocol/signals.js';
import { WORKFLOW } from '../src/protocol/workflow-types.js';
import { digestScheduleId, syncDigestSchedule } from '../src/worker/digest-schedule.js';
import { noteAuthBroken } from '../src/workflows/capacity/auth-broken.js';
import {
  authBrokenNotice,
  limitedNotice,
  pressureDueAt,
  pressureNotice,
  queueNotice,
} from '../src/workflows/capacity/notices.js';
import { enqueue, initialState, noteLimit } from '../src/workflows/capacity/state.js';
import { waitFor } from './support/procs.js';
import { startTemporal, startWorker, type Harness } from './support/temporal.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  answered: number;
}

/** /flaky answers 500 to the first two POSTs of each notification, /dead always; the rest 200. */
function receiver() {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '';
      const key = String(req.headers['idempotency-key']);
      const tries = got.filter((r) => r.path === path && r.headers['idempotency-key'] === key).length;
      const answered = path === '/dead' || (path === '/flaky' && tries < 2) ? 500 : 200;
      got.push({ path, headers: req.headers, body: JSON.parse(text) as Record<string, unknown>, answered });
      res.writeHead(answered).end();
    });
  });
  return { server, got };
}

const SECRET = 'Bearer s3cret-header-value';
// Jobs sleep for "slow N", fail for "fail", else answer at once.
const AGENT =
  'case "$NIGHTSHIFT_PROMPT" in fail) echo boom >&2; exit 3 ;; slow*) sleep "${NIGHTSHIFT_PROMPT#slow }" ;; esac; echo done';

let env: TestWorkflowEnvironment;
let h: Harness;
let raw: Record<string, unknown>;
const rx = receiver();

before(async () => {
  env = await startTemporal();
  await new Promise<void>((r) => rx.server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(rx.server.address() as AddressInfo).port}`;
  const ended = ['job.ended'];
  raw = {
    backends: { command: { command: 'sh', extraArgs: ['-c', AGENT] } },
    // Two shared slots; two admitted waiting requests turn backpressure on.
    capacity: { maxSlots: 3, reservedOperatorSlots: 1, backpressureQueueDepth: 2 },
    notify: {
      webhooks: [
        { url: `${base}/all`, events: ended, headers: { authorization: SECRET } },
        { url: `${base}/failed`, events: ended, statuses: ['failed'] },
        { url: `${base}/interactive`, events: ended, lanes: ['interactive'] },
        { url: `${base}/slack`, format: 'slack', events: ended },
        { url: `${base}/flaky`, events: ended },
        { url: `${base}/dead`, events: ended },
        { url: `${base}/capacity`, events: ['backend.limited', 'backend.authBroken', 'backpressure'] },
        { url: `${base}/digest`, events: ['digest'] },
      ],
      backpressureMinutes: 0.05,
      digest: { cron: '0 8 * * *', timezone: 'UTC' },
      retry: { maxAttempts: 4, initialSeconds: 0.2, timeoutSeconds: 3 },
    },
  };
  h = await startWorker(env, raw);
});
after(async () => {
  await h?.stop();
  await env?.teardown();
  rx.server.closeAllConnections();
  rx.server.close();
});

async function submit(prompt: string, lane: Lane = 'background'): Promise<string> {
  const input = { prompt, kind: 'llm', backend: 'command', workspace: 'none', lane, maxAttempts: 1 };
  const spec = resolveJobSpec(input, h.config);
  await startJob(env.client, h.config, spec);
  return spec.jobId;
}

const outcome = (jobId: string) => jobOutcome(env.client, jobId).then((o) => o.result as JobResult);
/** The job's notify workflow, once every target has it or ran out of attempts. */
async function notified(id: string): Promise<NotifyOutcome> {
  const handle = env.client.workflow.getHandle(id);
  await waitFor(`notify workflow ${id}`, () =>
    handle.describe().then(
      () => true,
      () => false,
    ),
  );
  return (await handle.result()) as NotifyOutcome;
}
const posts = (path: string, id: string) =>
  rx.got.filter((r) => r.path === path && r.headers['idempotency-key'] === id);
const settle = () => new Promise((r) => setTimeout(r, 1500)); // a duplicate would come within this

test('each ended job reaches each webhook that wants it exactly once: statuses and lanes filter, Slack text, headers', async () => {
  const [ok, failed, interactive] = await Promise.all([submit('one'), submit('fail'), submit('two', 'interactive')]);
  assert.deepEqual(await Promise.all([ok, failed, interactive].map(async (id) => (await outcome(id)).status)), [
    'succeeded',
    'failed',
    'succeeded',
  ]);
  for (const id of [ok, failed, interactive]) await notified(notifyWorkflowId(id));
  await settle();
  const ids = (path: string) => rx.got.filter((r) => r.path === path).map((r) => r.body['jobId']);
  const sorted = (a: unknown[]) => [...a].map(String).sort();
  assert.deepEqual(sorted(ids('/all')), sorted([ok, failed, interactive]), 'one POST per job');
  assert.deepEqual(ids('/failed'), [failed], 'statuses: failed only');
  assert.deepEqual(ids('/interactive'), [interactive], 'lanes: interactive only');

  const [okPost] = posts('/all', `job.ended:${ok}`);
  assert.ok(okPost);
  assert.equal(okPost.headers['authorization'], SECRET, 'the webhook’s own headers');
  assert.equal(okPost.headers['content-type'], 'application/json');
  assert.deepEqual(
    { ...okPost.body, durationMs: 0, finishedAt: '' },
    {
      event: 'job.ended',
      id: `job.ended:${ok}`,
      jobId: ok,
      status: 'succeeded',
      lane: 'background',
      backend: 'command',
      kind: 'llm',
      durationMs: 0,
      tokens: { input: 0, output: 0 },
      filesChanged: 0,
      finishedAt: '',
    },
  );
  const [failedPost] = posts('/failed', `job.ended:${failed}`);
  assert.equal(failedPost?.body['failureClass'], 'AgentCrashed');

  const slack = rx.got.filter((r) => r.path === '/slack');
  assert.equal(slack.length, 3);
  for (const [id, status] of [
    [ok, 'succeeded'],
    [failed, 'failed'],
  ] as const) {
    const post = posts('/slack', `job.ended:${id}`);
    assert.equal(post.length, 1);
    assert.deepEqual(Object.keys(post[0]?.body ?? {}), ['text']);
    assert.match(String(post[0]?.body['text']), new RegExp(`${id} ${status}`));
  }
});

test('a receiver that answers 500 twice is retried until it has it; one that always does never fails the job', async () => {
  const id = await submit('three');
  assert.equal((await outcome(id)).status, 'succeeded');
  const sent = await notified(notifyWorkflowId(id));
  assert.deepEqual(sent.failed, ['#5'], 'the dead receiver ran out of attempts (logged, not an error)');
  assert.ok(sent.delivered.includes('#4'));
  await settle();
  const key = `job.ended:${id}`;
  assert.deepEqual(
    posts('/flaky', key).map((r) => r.answered),
    [500, 500, 200],
  );
  assert.equal(posts('/dead', key).length, 4, 'notify.retry.maxAttempts');
  assert.equal(posts('/all', key).length, 1);
});

test('a job that spans a worker restart still notifies exactly once', async () => {
  const id = await submit('slow 4');
  await waitFor('the agent running', async () => (await jobProgress(env.client, id)).step === 'running-agent');
  const { taskQueue } = h.config.temporal;
  await h.stop();
  h = await startWorker(env, raw, { taskQueue, dataDir: h.dataDir });
  assert.equal((await outcome(id)).status, 'succeeded');
  await notified(notifyWorkflowId(id));
  await settle();
  assert.equal(posts('/all', `job.ended:${id}`).length, 1);
  assert.equal(posts('/slack', `job.ended:${id}`).length, 1);
});

test('the capacity singleton: backpressure held past backpressureMinutes, a limited and an auth-broken backend, once each', async () => {
  // Two jobs hold both shared slots; two more wait, admitted: backpressure is on until a slot frees.
  const jobs = [await submit('slow 6', 'interactive'), await submit('slow 6', 'interactive')];
  for (const id of jobs) {
    await waitFor('a slow job running', async () => (await jobProgress(env.client, id)).step === 'running-agent');
  }
  jobs.push(await submit('four', 'interactive'), await submit('five', 'interactive'));
  const events = (event: string) => rx.got.filter((r) => r.path === '/capacity' && r.body['event'] === event);
  await waitFor('a backpressure notice', () => events('backpressure').length > 0, 60_000);
  await Promise.all(jobs.map(outcome));
  const [pressure] = events('backpressure');
  assert.match(String(pressure?.body['reasons']), /queue depth 2 >= 2/);

  const capacity = env.client.workflow.getHandle(capacityWorkflowId(h.config.temporal.taskQueue));
  const until = Date.now() + 600_000;
  await capacity.signal(backendLimitedSignal, { backend: 'claude', until });
  await capacity.signal(backendLimitedSignal, { backend: 'claude', until: until + 5000 }); // the same episode
  const at = Date.now();
  await capacity.signal(backendAuthBrokenSignal, { backend: 'codex', message: 'invalid x-api-key', at });
  await capacity.signal(backendAuthBrokenSignal, { backend: 'codex', message: 'still', at: at + 1 });
  const { taskQueue } = h.config.temporal;
  await notified(notifyWorkflowId(`limited-claude-${until}`, taskQueue));
  await notified(notifyWorkflowId(`authbroken-codex-${at}`, taskQueue));
  await settle();
  assert.deepEqual(
    events('backend.limited').map((r) => r.body),
    [{ event: 'backend.limited', id: `backend.limited:claude:${until}`, backend: 'claude', until: iso(until) }],
  );
  assert.deepEqual(
    events('backend.authBroken').map((r) => r.body['since']),
    [iso(at)],
  );
  assert.equal(events('backpressure').length, 1, 'once per episode');
});

const iso = (ms: number) => new Date(ms).toISOString();
const SINCE = Date.parse('2001-02-03T00:00:00Z');
const UNTIL = Date.parse('2001-02-04T00:00:00Z');

function entry(n: number, status: LedgerEntry['status'], extra: Partial<LedgerEntry> = {}): LedgerEntry {
  const finishedAt = SINCE + n * 3600_000;
  return {
    ...{ jobId: `job-digest-${n}`, status, backend: 'claude', kind: 'coding-agent', lane: 'background' as const },
    ...{ host: 'h1', queuedAt: finishedAt - 60_000, finishedAt, durationMs: 50_000, leaseWaitMs: 10 },
    ...{ tokensIn: 100, tokensOut: 10, cacheRead: 0, cacheWrite: 0, attempts: 1, revised: false, reviewed: false },
    ...extra,
  };
}

const commit = (n: number) => ({ commitSha: `${n}`.repeat(40), branch: `nightshift/job-digest-${n}` });

test('the digest: counts, rates, tokens, cost and the work waiting to be landed, over a window; its schedule', async () => {
  const ledger = await openLedger(h.config.ledger.url ?? '');
  try {
    await ledger.recordMany([
      entry(1, 'succeeded', { ...commit(1), costUsd: 0.5 }), // landed
      entry(2, 'succeeded', { ...commit(2), costUsd: 0.25, revised: true }), // its landing conflicted
      entry(3, 'succeeded', commit(3)), // never queued
      entry(4, 'succeeded'), // nothing committed
      entry(5, 'failed', { ...commit(5), costUsd: 0.125, failureClass: 'AgentCrashed' }),
      entry(6, 'no_op'),
      entry(7, 'cancelled'),
      { ...entry(8, 'succeeded', commit(8)), finishedAt: UNTIL }, // outside [since, until)
    ]);
    await ledger.recordLanding({ jobId: 'job-digest-1', status: 'landed', target: 'main', commit: 'f'.repeat(40) });
    await ledger.recordLanding({ jobId: 'job-digest-2', status: 'conflict', target: 'main' });
  } finally {
    await ledger.close();
  }
  const { taskQueue } = h.config.temporal;
  const retry = h.config.notify.retry;
  const ran = await env.client.workflow.execute(WORKFLOW.digest, {
    taskQueue,
    workflowId: `digest-window-${taskQueue}`,
    args: [{ retry, window: { since: SINCE, until: UNTIL } }],
  });
  const expected: Digest = {
    event: 'digest',
    id: `digest:${iso(SINCE)}:${iso(UNTIL)}`,
    since: iso(SINCE),
    until: iso(UNTIL),
    ...{ jobs: 7, succeeded: 4, failed: 1, noOp: 1, cancelled: 1, successRate: 4 / 6, revisedRate: 1 / 4 },
    ...{ tokensIn: 700, tokensOut: 70, costUsd: 0.875, unlandedCount: 2 },
    unlanded: [
      { jobId: 'job-digest-2', ...pick(commit(2)), finishedAt: iso(SINCE + 2 * 3600_000), landing: 'conflict' },
      { jobId: 'job-digest-3', ...pick(commit(3)), finishedAt: iso(SINCE + 3 * 3600_000) },
    ],
  };
  assert.deepEqual((ran as { delivered: string[] }).delivered, ['#7']);
  assert.deepEqual(
    rx.got.filter((r) => r.path === '/digest').map((r) => r.body),
    [expected],
  );

  // The worker made the schedule; a run of it covers the last 24 hours; a config without a digest deletes it.
  const schedule = env.client.schedule.getHandle(digestScheduleId(taskQueue));
  const described = await schedule.describe();
  assert.equal(described.action.type === 'startWorkflow' && described.action.workflowType, WORKFLOW.digest);
  assert.equal(described.spec.timezone, 'UTC');
  await schedule.trigger();
  await waitFor('a scheduled digest', () => rx.got.filter((r) => r.path === '/digest').length === 2, 60_000);
  const last = rx.got.filter((r) => r.path === '/digest').at(-1)?.body;
  assert.ok(Number(last?.['jobs']) >= 9, 'this file’s jobs, finished in the last 24 hours');
  const { digest: _unset, ...noDigest } = h.config.notify;
  await syncDigestSchedule(env.client, { ...h.config, notify: noDigest });
  await assert.rejects(schedule.describe(), ScheduleNotFoundError);
});

const pick = (c: { commitSha: string; branch: string }) => ({ branch: c.branch, commit: c.commitSha });

test('capacity episodes as pure state: a limit while one is in force, a second auth mark, backpressure on and off', () => {
  const base = capacitySettings(parseConfig({ capacity: { backpressureQueueDepth: 1 }, notify: raw['notify'] }));
  const state = initialState(base);
  assert.ok(limitedNotice(state, 'claude', 2000, 1000), 'newly limited');
  noteLimit(state, 'claude', 2000);
  assert.equal(limitedNotice(state, 'claude', 3000, 1500), undefined, 'the same episode');
  assert.ok(limitedNotice(state, 'claude', 9000, 2500), 'the limit ended: a new episode');
  assert.ok(authBrokenNotice(state, 'codex', 'no', 1));
  noteAuthBroken(state, 'codex', 'no', 1);
  assert.equal(authBrokenNotice(state, 'codex', 'still no', 2), undefined);

  const due = 0.05 * 60_000;
  enqueue(state, { jobId: 'job-a', lane: 'interactive', kind: 'llm', estimate: 1, requestedAt: 0 });
  assert.equal(pressureNotice(state, 10_000), undefined, 'on, not yet long enough');
  assert.equal(pressureDueAt(state), 10_000 + due);
  assert.equal(pressureNotice(state, 10_000 + due)?.event, 'backpressure');
  assert.equal(pressureNotice(state, 20_000 + due), undefined, 'once per episode');
  assert.equal(pressureDueAt(state), undefined);
  state.queue = [];
  assert.equal(pressureNotice(state, 30_000), undefined);
  assert.equal(state.pressure, undefined, 'off ends the episode');
  assert.ok(queueNotice(state, backendLimited('claude', 2000)));
  assert.equal(state.notices?.[0]?.workflowId, 'notify-limited-claude-2000');
});
