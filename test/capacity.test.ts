// The capacity singleton under real job workflows on a real server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveJobSpec } from '../src/client/job-input.js';
import { capacityView, startJob } from '../src/client/jobs.js';
import type { Config } from '../src/config/schema.js';
import type { JobResult } from '../src/protocol/result.js';
import { maxOverlap, slowAgent } from './support/slow-agent.js';
import { processesIn, waitFor } from './support/procs.js';
import { startTemporal, startWorker, type Harness } from './support/temporal.js';

let env: TestWorkflowEnvironment;
before(async () => void (env = await startTemporal()));
after(async () => void (await env?.teardown()));

async function submitMany(h: Harness, n: number, input: Record<string, unknown>): Promise<Promise<JobResult>[]> {
  const results: Promise<JobResult>[] = [];
  for (let i = 0; i < n; i++) {
    const spec = resolveJobSpec(
      { prompt: `job ${i}`, kind: 'llm', backend: 'command', workspace: 'none', ...input },
      h.config,
    );
    results.push((await startJob(env.client, h.config, spec)).result());
  }
  return results;
}

const view = (config: Config) => capacityView(env.client, config);

test('20 slots: 25 background jobs never run more than 19 at once; an operator job gets through at once', async () => {
  const agent = slowAgent(6); // long enough that no job ends before all 25 have asked, even on a loaded machine
  const h = await startWorker(env, { backends: { command: agent.backend }, sandbox: agent.sandbox });
  try {
    const background = await submitMany(h, 25, { lane: 'background' });
    // Every job has asked for its lease (under load a job's request activity may lag its start).
    const asked = (v: Awaited<ReturnType<typeof view>>) =>
      v.lanes.background.running + v.lanes.background.queued + v.lanes.background.deferred === 25;
    await waitFor('19 background jobs running, 6 waiting', async () => {
      const v = await view(h.config);
      return v.lanes.background.running === 19 && asked(v);
    });
    // A granted lease is not yet a running agent (its workspace is still being made on a loaded machine).
    const started = () => [...agent.intervals().keys()].filter((k) => k.startsWith('job ')).length;
    await waitFor('19 background agents started', () => started() === 19);
    const saturated = await view(h.config);
    assert.equal(saturated.slots.used, 19);
    assert.equal(saturated.lanes.background.queued + saturated.lanes.background.deferred, 6);
    const spec = resolveJobSpec(
      { prompt: 'operator', kind: 'llm', backend: 'command', workspace: 'none', lane: 'operator' },
      h.config,
    );
    const operator = await (await startJob(env.client, h.config, spec)).result();
    const results = await Promise.all(background);
    assert.ok(results.every((r) => r.status === 'succeeded'));
    const intervals = agent.intervals();
    const bg = [...intervals.entries()].filter(([k]) => k.startsWith('job ')).map(([, v]) => v);
    assert.equal(bg.length, 25);
    assert.equal(maxOverlap(bg), 19, 'background agents running at once');
    const op = intervals.get('operator')!;
    assert.ok(operator.leaseWaitMs < 2000, `operator waited ${operator.leaseWaitMs}ms for its lease`);
    const runningAtOperatorStart = bg.filter((i) => i.start <= op.start && (i.end ?? Infinity) > op.start).length;
    assert.equal(runningAtOperatorStart, 19, 'the operator ran while background jobs held 19 slots');
  } finally {
    await h.stop();
  }
});

test('backpressure turns on at queue depth and off when the queue drains', async () => {
  const agent = slowAgent(3);
  const h = await startWorker(env, {
    backends: { command: agent.backend },
    sandbox: agent.sandbox,
    capacity: { maxSlots: 3, reservedOperatorSlots: 1, backpressureQueueDepth: 3 },
  });
  try {
    const seen: { on: boolean; reasons: string[]; deferred: number }[] = [];
    const poll = setInterval(() => {
      void view(h.config).then(
        (v) => seen.push({ ...v.backpressure, deferred: v.lanes.background.deferred }),
        () => undefined,
      );
    }, 100);
    // 2 shared slots, 3 s per job: at least 5 requests wait for 3 s, so the queue reaches depth 3.
    const jobs = await submitMany(h, 7, { lane: 'background' });
    const results = await Promise.all(jobs);
    await new Promise((r) => setTimeout(r, 300));
    clearInterval(poll);
    assert.ok(results.every((r) => r.status === 'succeeded'));
    const on = seen.filter((s) => s.on);
    assert.ok(
      on.length > 0,
      `backpressure was on at some point: ${seen.length} polls, ${JSON.stringify([...new Set(seen.map((s) => JSON.stringify(s)))])}`,
    );
    assert.ok(
      on.every((s) => s.reasons.some((r) => r.startsWith('queue depth 3 >= 3'))),
      JSON.stringify(on[0]),
    );
    assert.ok(
      on.some((s) => s.deferred > 0),
      'background work waited outside the queue',
    );
    const last = await view(h.config);
    assert.equal(last.backpressure.on, false);
    assert.equal(maxOverlap([...agent.intervals().values()]), 2, 'two shared slots');
  } finally {
    await h.stop();
  }
});

test("a terminated job's lease is reclaimed by the reconcile and its agent killed", async () => {
  const agent = slowAgent(60);
  const h = await startWorker(env, {
    backends: { command: agent.backend },
    sandbox: agent.sandbox,
    capacity: { reconcileSeconds: 1 },
  });
  try {
    const spec = resolveJobSpec({ prompt: 'long', kind: 'llm', backend: 'command', workspace: 'none' }, h.config);
    const handle = await startJob(env.client, h.config, spec);
    await waitFor('the agent to start', () => agent.intervals().has('long'));
    assert.equal((await view(h.config)).slots.used, 1);
    await handle.terminate('test: simulate a crashed job');
    await waitFor('the lease to be reclaimed', async () => (await view(h.config)).slots.used === 0, 15_000);
    assert.equal((await view(h.config)).counters.reclaimed, 1);
    const scratch = `${h.dataDir}/jobs/${spec.jobId}/scratch`;
    await waitFor('the agent process to be gone', () => processesIn(scratch).length === 0, 15_000);
  } finally {
    await h.stop();
  }
});

test('forced continue-as-new across 200 lease cycles loses no request, grant or release', async () => {
  const agent = slowAgent(0);
  const h = await startWorker(env, {
    backends: { command: agent.backend },
    sandbox: agent.sandbox,
    capacity: { continueAsNewEvents: 60 },
  });
  try {
    const results = await Promise.all(await submitMany(h, 200, { lane: 'interactive' }));
    assert.equal(results.filter((r) => r.status === 'succeeded').length, 200);
    await waitFor('all releases', async () => (await view(h.config)).counters.released === 200, 10_000);
    const v = await view(h.config);
    assert.equal(v.counters.granted, 200);
    assert.equal(v.slots.used, 0);
    assert.equal(v.queue.length, 0);
    assert.ok(v.counters.runs > 3, `continued as new ${v.counters.runs - 1} times`);
  } finally {
    await h.stop();
  }
});
