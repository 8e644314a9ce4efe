// `schedule list` names the job each run started (what `status` takes); `history` of a run's id shows that job.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { scheduleIdOf } from '../src/client/schedules.js';
import type { JobResult } from '../src/protocol/result.js';
import { nightshift } from './support/cli.js';
import { waitFor } from './support/procs.js';
import { slowAgent } from './support/slow-agent.js';
import { startTemporal, startWorker, type Harness } from './support/temporal.js';

let env: TestWorkflowEnvironment;
let h: Harness;
before(async () => {
  env = await startTemporal();
  h = await startWorker(env, { backends: { command: slowAgent(0).backend } });
});
after(async () => {
  await h?.stop();
  await env?.teardown();
});

const cli = (...args: string[]) => nightshift(args, { address: env.address, harness: h });
const JOB = ['--', 'tidy the changelog', '--backend', 'command', '--kind', 'llm', '--workspace', 'none'];
type Listed = { name: string; recentRuns: { scheduledAt: string; workflowId: string; jobId?: string }[] };

test('schedule list shows the job id of the last run; status and history take it; history of the run id resolves', async () => {
  assert.equal((await cli('schedule', 'add', 'nightly', '--cron', '0 2 * * *', ...JOB)).exitCode, 0);
  const handle = env.client.schedule.getHandle(scheduleIdOf(h.config, 'nightly'));
  assert.equal((await cli('schedule', 'trigger', 'nightly')).exitCode, 0);
  await waitFor('the run', async () => (await handle.describe()).info.recentActions.length === 1, 20_000);
  const run = (await handle.describe()).info.recentActions[0]!.action.workflow.workflowId;
  const result = (await env.client.workflow.getHandle(run).result()) as JobResult;
  assert.match(run, /^sched-/);
  assert.match(result.jobId, /^job-sched-[a-z0-9-]+-\d{4}-\d{2}-\d{2}t\d{6}z$/);

  const listed = JSON.parse((await cli('schedule', 'list', '--json')).stdout) as Listed[];
  assert.deepEqual(listed[0]?.recentRuns.at(-1), {
    scheduledAt: listed[0]?.recentRuns.at(-1)?.scheduledAt,
    workflowId: run,
    jobId: result.jobId,
  });
  const table = await cli('schedule', 'list');
  assert.match(table.stdout, new RegExp(`last \\S+ \\(${result.jobId}\\)`));
  assert.doesNotMatch(table.stdout, /\(sched-/, 'the table names the job, not the run');
  assert.equal((await cli('status', result.jobId, '--json')).exitCode, 0);

  const viaRun = await cli('history', run, '--json');
  assert.equal(viaRun.exitCode, 0, viaRun.stderr);
  assert.equal((JSON.parse(viaRun.stdout) as { jobId: string }).jobId, result.jobId);
  assert.match(viaRun.stderr, new RegExp(`${run} is a schedule run; showing its job ${result.jobId}`));
  assert.match(viaRun.stdout, /agent command/, "the job's own timeline (its agent attempt), not the run's");
});

test('history of an unknown id or an unknown schedule run: one-line usage error, exit 2', async () => {
  for (const id of ['job-nope', 'sched-nightly-2026-12-01T11:10:41Z']) {
    const r = await cli('history', id);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  }
});
