// `submit --id` of an id already used (finished or running) is a usage error naming its state; nothing new starts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveJobSpec } from '../src/client/job-input.js';
import { submitJob } from '../src/client/submit-job.js';
import { UsageError } from '../src/support/usage-error.js';
import { nightshift } from './support/cli.js';
import { slowAgent } from './support/slow-agent.js';
import { startTemporal, startWorker, type Harness } from './support/temporal.js';

let env: TestWorkflowEnvironment;
let h: Harness;
let slow: Harness; // its agent outlives a CLI start-up, so a job is surely still running
const agent = slowAgent(0);
const slowAgentLog = slowAgent(120);
before(async () => {
  env = await startTemporal();
  h = await startWorker(env, { backends: { command: agent.backend }, sandbox: agent.sandbox });
  slow = await startWorker(env, { backends: { command: slowAgentLog.backend } });
});
after(async () => {
  await h?.stop();
  await slow?.stop();
  await env?.teardown();
});

const cli = (...args: string[]) => nightshift(args, { address: env.address, harness: h });
const slowCli = (...args: string[]) => nightshift(args, { address: env.address, harness: slow });
const JOB = ['--backend', 'command', '--kind', 'llm', '--workspace', 'none'];
const NO_STACK = /\n\s+at /;

test('submit --id of a finished job: exit 2 naming the id and its state; the old run, history and result stay', async () => {
  const first = await cli('submit', 'first run', ...JOB, '--id', 'job-dup-done', '--wait');
  assert.equal(first.exitCode, 0, first.stderr);
  const before = await env.client.workflow.getHandle('job-dup-done').describe();

  const again = await cli('submit', 'second run', ...JOB, '--id', 'job-dup-done');
  assert.equal(again.exitCode, 2, again.stderr);
  assert.equal(again.stderr.trim(), 'nightshift: job job-dup-done already exists (succeeded); pick another --id');
  const after = await env.client.workflow.getHandle('job-dup-done').describe();
  assert.equal(after.runId, before.runId, 'no second run replaced the first');
  assert.equal(after.status.name, 'COMPLETED');
  assert.ok(!agent.intervals().has('second run'), 'the second prompt never reached an agent');
});

test('submit --id of a running job: exit 2 naming its state, no stack trace; the running job is untouched', async () => {
  const first = await slowCli('submit', 'long run', ...JOB, '--id', 'job-dup-running');
  assert.equal(first.exitCode, 0, first.stderr);
  const again = await slowCli('submit', 'intruder', ...JOB, '--id', 'job-dup-running');
  assert.equal(again.exitCode, 2, again.stderr);
  assert.match(again.stderr, /job job-dup-running already exists \((queued|running)\); pick another --id/);
  assert.doesNotMatch(again.stderr, NO_STACK);
  assert.doesNotMatch(again.stderr, /WorkflowExecutionAlreadyStartedError/);
  const running = env.client.workflow.getHandle('job-dup-running');
  assert.equal((await running.describe()).status.name, 'RUNNING');
  await running.cancel(); // done with it: no need to sit out its agent
  await running.result().catch(() => undefined);
  assert.ok(!slowAgentLog.intervals().has('intruder'), 'the second prompt never reached an agent');
});

test('two submits racing for one id: exactly one starts, the other gets the same usage error', async () => {
  const spec = resolveJobSpec(
    { prompt: 'race', backend: 'command', kind: 'llm', workspace: 'none', jobId: 'job-race' },
    h.config,
  );
  const outcomes = await Promise.allSettled([
    submitJob(env.client, h.config, spec),
    submitJob(env.client, h.config, spec),
  ]);
  const started = outcomes.filter((o) => o.status === 'fulfilled');
  const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
  assert.equal(started.length, 1);
  assert.equal(refused.length, 1);
  assert.ok(refused[0] instanceof UsageError, String(refused[0]));
  assert.match((refused[0] as UsageError).message, /job job-race already exists \(\w+\); pick another --id/);
  await env.client.workflow.getHandle('job-race').result();
});
