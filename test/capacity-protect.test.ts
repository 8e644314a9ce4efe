// Issue 10: `cancel` takes only work a person submitted, and a capacity singleton started from scratch adopts
// the leases running jobs still hold (and the requests waiting ones made).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveJobSpec } from '../src/client/job-input.js';
import { capacityView, startJob } from '../src/client/jobs.js';
import { capacityWorkflowId } from '../src/protocol/ids.js';
import type { JobResult } from '../src/protocol/result.js';
import { nightshift } from './support/cli.js';
import { waitFor } from './support/procs.js';
import { slowAgent } from './support/slow-agent.js';
import { startTemporal, startWorker, type Harness } from './support/temporal.js';

let env: TestWorkflowEnvironment;
before(async () => void (env = await startTemporal()));
after(async () => void (await env?.teardown()));

const started: { jobId: string; result: Promise<JobResult> }[] = [];
/**
 * Slow agents would hold the worker's shutdown for a minute: whatever still runs is cancelled, and its end awaited
 * while the worker runs (a result still polling when the server stops fails after the test).
 */
async function cancelLeftovers(): Promise<void> {
  const jobs = started.splice(0);
  const cancel = (jobId: string) => env.client.workflow.getHandle(jobId).cancel();
  await Promise.all(jobs.map((j) => cancel(j.jobId).catch(() => undefined)));
  await Promise.allSettled(jobs.map((j) => j.result));
}

async function submit(h: Harness, prompt: string): Promise<{ jobId: string; result: Promise<JobResult> }> {
  const spec = resolveJobSpec({ prompt, kind: 'llm', backend: 'command', workspace: 'none' }, h.config);
  const result = (await startJob(env.client, h.config, spec)).result();
  result.catch(() => undefined); // a cancelled job's result rejects; the test reads it when it needs it
  started.push({ jobId: spec.jobId, result });
  return { jobId: spec.jobId, result };
}

const cli = (h: Harness, ...args: string[]) => nightshift(args, { address: env.address, harness: h });
const holderIds = async (h: Harness): Promise<string[]> =>
  (await capacityView(env.client, h.config)).holders.map((x) => x.jobId).sort();

test('cancel refuses the capacity singleton (exit 2, nothing cancelled) and a job that already finished', async () => {
  const agent = slowAgent(60);
  const h = await startWorker(env, { backends: { command: agent.backend }, sandbox: agent.sandbox });
  try {
    const job = await submit(h, 'long');
    await waitFor('the agent to start', () => agent.intervals().has('long'));
    const capacityId = capacityWorkflowId(h.config.temporal.taskQueue);
    const refused = await cli(h, 'cancel', capacityId);
    assert.equal(refused.exitCode, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`${capacityId} is the capacity singleton, not a job`));
    assert.equal((await env.client.workflow.getHandle(capacityId).describe()).status.name, 'RUNNING');
    assert.deepEqual(await holderIds(h), [job.jobId], 'the singleton still knows its holder');
    const cancelled = await cli(h, 'cancel', job.jobId);
    assert.equal(cancelled.exitCode, 0, cancelled.stderr);
    assert.match(cancelled.stdout, /cancel requested/);
    await assert.rejects(job.result);
    await waitFor('the lease to be released', async () => (await holderIds(h)).length === 0);
    const again = await cli(h, 'cancel', job.jobId);
    assert.equal(again.exitCode, 2, again.stdout);
    assert.match(again.stderr, new RegExp(`${job.jobId} already finished \\(cancelled\\)`));
    assert.doesNotMatch(again.stdout, /cancel requested/);
  } finally {
    await cancelLeftovers();
    await h.stop();
  }
});

test('cancel of a job that succeeded says so and exits 2', async () => {
  const h = await startWorker(env, { backends: { command: slowAgent(0).backend } });
  try {
    const job = await submit(h, 'quick');
    assert.equal((await job.result).status, 'succeeded');
    const r = await cli(h, 'cancel', job.jobId);
    assert.equal(r.exitCode, 2, r.stdout);
    assert.match(r.stderr, new RegExp(`${job.jobId} already finished \\(succeeded\\); nothing to cancel`));
    assert.equal(r.stdout, '');
  } finally {
    await cancelLeftovers();
    await h.stop();
  }
});

test('a capacity singleton terminated through raw Temporal comes back with its holders and waiting jobs', async () => {
  const agent = slowAgent(60);
  // Two shared slots: two running jobs fill them, a third waits.
  const capacity = { maxSlots: 3, reservedOperatorSlots: 1 };
  const h = await startWorker(env, { backends: { command: agent.backend }, sandbox: agent.sandbox, capacity });
  try {
    const [a, b] = [await submit(h, 'a'), await submit(h, 'b')];
    await waitFor('two agents running', () => agent.intervals().has('a') && agent.intervals().has('b'));
    const waiting = await submit(h, 'waiting');
    await waitFor('the third job to queue', async () =>
      (await capacityView(env.client, h.config)).queue.some((q) => q.jobId === waiting.jobId),
    );
    const capacityId = capacityWorkflowId(h.config.temporal.taskQueue);
    await env.client.workflow.getHandle(capacityId).terminate('test: an operator ended it through raw Temporal');
    const late = await submit(h, 'late'); // its lease request starts the singleton from scratch
    // The new run (the terminated one still answers queries) once it adopted its holders — or, the bug, once it
    // granted the late job a slot the running jobs still use.
    await waitFor('the new singleton to hand out slots', async () => {
      const v = await capacityView(env.client, h.config).catch(() => undefined);
      const seesLate = !!v && [...v.holders, ...v.queue].some((x) => x.jobId === late.jobId);
      return seesLate && (v.holders.length >= 2 || v.holders.some((x) => x.jobId === late.jobId));
    });
    const view = await capacityView(env.client, h.config);
    assert.deepEqual(view.holders.map((x) => x.jobId).sort(), [a.jobId, b.jobId].sort(), 'holders adopted');
    assert.equal(view.holders[0]?.reserved, 50_000, "the kind's estimate is reserved again");
    assert.deepEqual(
      view.queue.map((q) => q.jobId),
      [waiting.jobId, late.jobId],
      'the waiting job is queued again, ahead of the late one',
    );
    assert.equal(agent.intervals().has('late'), false, 'no third agent ran on two shared slots');
    await env.client.workflow.getHandle(a.jobId).cancel(); // the CLI's cancel is the first test's
    await waitFor('the waiting job to get the freed slot', () => agent.intervals().has('waiting'));
    assert.deepEqual(await holderIds(h), [b.jobId, waiting.jobId].sort());
    await cancelLeftovers();
    await waitFor('every lease released', async () => {
      const v = await capacityView(env.client, h.config);
      return v.holders.length === 0 && v.queue.length === 0;
    });
  } finally {
    await cancelLeftovers();
    await h.stop();
  }
});
