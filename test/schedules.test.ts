// Schedules on Temporal Schedules: a triggered run submits a background job; overlap skip; pause, resume, delete.
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
// Long enough that a CLI started on a loaded machine triggers again while the first run's agent still runs.
const agent = slowAgent(15);
before(async () => {
  env = await startTemporal();
  h = await startWorker(env, { backends: { command: agent.backend }, sandbox: agent.sandbox });
});
after(async () => {
  await h?.stop();
  await env?.teardown();
});

const cli = (...args: string[]) => nightshift(args, { address: env.address, harness: h });
const JOB = ['--', 'tidy the changelog', '--backend', 'command', '--kind', 'llm', '--workspace', 'none'];

test('schedule add → trigger: the run submits a background job; a second trigger while it runs is skipped', async () => {
  const add = await cli('schedule', 'add', 'nightly', '--cron', '0 2 * * *', ...JOB);
  assert.equal(add.exitCode, 0, add.stderr);
  const listed = JSON.parse((await cli('schedule', 'list', '--json')).stdout) as {
    name: string;
    cron: string;
    paused: boolean;
    lane: string;
    nextRuns: string[];
  }[];
  assert.equal(listed.length, 1);
  assert.deepEqual(
    [listed[0]?.name, listed[0]?.cron, listed[0]?.paused, listed[0]?.lane],
    ['nightly', '0 2 * * *', false, 'background'],
  );
  assert.match(listed[0]?.nextRuns[0] ?? '', /T02:00:00\.000Z$/);

  const handle = env.client.schedule.getHandle(scheduleIdOf(h.config, 'nightly'));
  assert.equal((await cli('schedule', 'trigger', 'nightly')).exitCode, 0);
  await waitFor('the first run', async () => (await handle.describe()).info.recentActions.length === 1, 20_000);
  await waitFor('its agent runs', () => agent.intervals().has('tidy the changelog'), 30_000);
  assert.equal((await cli('schedule', 'trigger', 'nightly')).exitCode, 0);
  assert.equal(agent.intervals().get('tidy the changelog')?.end, undefined, 'the second trigger came while it ran');
  const run = (await handle.describe()).info.recentActions[0]!.action.workflow.workflowId;
  const result = (await env.client.workflow.getHandle(run).result()) as JobResult;
  assert.equal(result.status, 'succeeded');
  assert.equal(result.lane, 'background');
  assert.match(result.jobId, /^job-sched-[a-z0-9-]+-\d{4}-\d{2}-\d{2}t\d{6}z$/);
  assert.match(result.finalText, /done tidy the changelog/);
  const status = await cli('status', result.jobId, '--json');
  assert.equal(status.exitCode, 0, status.stderr);
  const d = await handle.describe();
  assert.equal(d.info.numActionsSkippedOverlap, 1, 'the second trigger overlapped the running job and was skipped');
  assert.equal(d.info.recentActions.length, 1);
  assert.equal([...agent.intervals().keys()].filter((k) => k === 'tidy the changelog').length, 1);
});

test('schedule pause / resume / delete; an unknown name and a bad cron are usage errors; nothing half-made', async () => {
  assert.equal((await cli('schedule', 'pause', 'nightly', '--note', 'holidays')).exitCode, 0);
  const paused = await cli('schedule', 'list');
  assert.match(paused.stdout, /^nightly {2}PAUSED/m);
  assert.match(paused.stdout, /note: holidays/);
  assert.equal((await cli('schedule', 'resume', 'nightly')).exitCode, 0);
  assert.match((await cli('schedule', 'list')).stdout, /^nightly {2}active/m);

  const badCron = await cli('schedule', 'add', 'broken', '--cron', '61 25 * * *', ...JOB);
  assert.equal(badCron.exitCode, 2);
  assert.match(badCron.stderr, /--cron: "61 25 \* \* \*" was rejected: Minute is not in range/);
  const dup = await cli('schedule', 'add', 'nightly', '--cron', '0 3 * * *', ...JOB);
  assert.equal(dup.exitCode, 2);
  assert.match(dup.stderr, /"nightly" already exists/);
  const withId = await cli('schedule', 'add', 'pinned', '--cron', '0 3 * * *', ...JOB, '--id', 'job-fixed');
  assert.equal(withId.exitCode, 2);
  assert.match(withId.stderr, /--id: not allowed in a scheduled job/);
  const badBackend = await cli('schedule', 'add', 'typo', '--cron', '0 3 * * *', '--', 'x', '--backend', 'claud');
  assert.equal(badBackend.exitCode, 2);
  assert.match(badBackend.stderr, /claud/);
  const names = (JSON.parse((await cli('schedule', 'list', '--json')).stdout) as { name: string }[]).map((s) => s.name);
  assert.deepEqual(names, ['nightly']);

  assert.equal((await cli('schedule', 'delete', 'nightly')).exitCode, 0);
  await waitFor(
    'the schedule gone from the list',
    async () => (await cli('schedule', 'list')).stdout.trim() === 'no schedules',
    10_000,
  );
  const again = await cli('schedule', 'delete', 'nightly');
  assert.equal(again.exitCode, 2);
  assert.match(again.stderr, /no schedule "nightly"/);
});
