// Chain control flow on the real chain and job workflows, with a scripted agent: stop, continue, step retries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { ChainFileSchema } from '../src/client/chain-file.js';
import { chainOutcome, resolveChain, startChain } from '../src/client/chains.js';
import { FailureClass } from '../src/protocol/failures.js';
import { makeRepo } from './support/repo.js';
import {
  agentStub,
  fail,
  startStubbedWorker,
  stubBackends,
  succeed,
  useTemporal,
  type AgentCall,
  type AgentReply,
} from './support/stub-activities.js';

const t = useTemporal();

/** Runs a chain of llm steps on claude (one attempt per job); `reply` decides each step's agent run. */
async function runChain(steps: Record<string, unknown>[], reply: (call: AgentCall) => AgentReply) {
  const agent = agentStub({ claude: reply });
  const h = await startStubbedWorker(t.env, { backends: stubBackends('claude') }, { runAgent: agent.runAgent });
  try {
    const file = ChainFileSchema.parse({
      name: 'scripted',
      repo: await makeRepo(),
      task: 'the task',
      defaults: { kind: 'llm', backend: 'claude', maxAttempts: 1 },
      steps,
    });
    const chain = resolveChain(file, h.config, process.cwd());
    await startChain(t.env.client, h.config, chain);
    const { view, error } = await chainOutcome(t.env.client, chain.chainId);
    assert.ok(view, String(error));
    const step = (id: string) => view.steps.find((s) => s.id === id);
    return { chainId: chain.chainId, view, error, step, prompts: agent.calls.map((c) => c.prompt), calls: agent.calls };
  } finally {
    await h.stop();
  }
}

const stepTwoCrashes = (call: AgentCall): AgentReply =>
  call.prompt.startsWith('two') ? fail(FailureClass.AgentCrashed, 'step two crashed') : succeed(`did ${call.prompt}`);
const threeSteps = (onFailure: 'stop' | 'continue') => [
  { id: 'one', prompt: 'one: {{task}}' },
  { id: 'two', prompt: 'two: after {{steps.one.output}}', onFailure },
  { id: 'three', prompt: 'three: after {{steps.one.output}}' },
];

test('a failed step with onFailure stop: the chain fails (ChainFailed), later steps are skipped, earlier results kept', async () => {
  const { chainId, view, error, step, prompts } = await runChain(threeSteps('stop'), stepTwoCrashes);
  assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure, String(error));
  assert.equal(error.cause.type, 'ChainFailed');
  assert.match(error.cause.message, /step "two" failed \(AgentCrashed\)/);
  assert.equal(view.status, 'failed');
  assert.deepEqual(
    view.steps.map((s) => [s.id, s.state]),
    [
      ['one', 'succeeded'],
      ['two', 'failed'],
      ['three', 'skipped'],
    ],
  );
  assert.equal(step('one')?.result?.finalText, 'did one: the task', "step 1's result is kept");
  assert.equal(step('two')?.result?.failureClass, 'AgentCrashed');
  assert.deepEqual(step('three')?.jobIds, [], 'no job started for the skipped step');
  assert.deepEqual(prompts, ['one: the task', 'two: after did one: the task'], 'the agent never saw step three');
  assert.deepEqual(step('two')?.jobIds, [`${chainId}-two`]);
});

test('a failed step with onFailure continue: the next step still runs with the earlier outputs', async () => {
  const { view, error, step, prompts } = await runChain(threeSteps('continue'), stepTwoCrashes);
  assert.equal(error, undefined, 'a chain whose failed steps all continue does not fail');
  assert.equal(view.status, 'succeeded');
  assert.deepEqual(
    view.steps.map((s) => [s.id, s.state]),
    [
      ['one', 'succeeded'],
      ['two', 'failed'],
      ['three', 'succeeded'],
    ],
  );
  assert.equal(prompts.at(-1), 'three: after did one: the task');
  assert.equal(step('three')?.result?.finalText, 'did three: after did one: the task');
});

test('a step with retries 1 that fails once: a second child job `<chain>-<step>-2` runs and succeeds', async () => {
  let flaky = 0;
  const reply = (call: AgentCall): AgentReply =>
    call.prompt === 'flaky' && ++flaky === 1
      ? fail(FailureClass.AgentCrashed, 'crashed once')
      : succeed(`did ${call.prompt}`);
  const { chainId, view, error, step, calls } = await runChain(
    [
      { id: 'flaky', prompt: 'flaky', retries: 1 },
      { id: 'after', prompt: 'after' },
    ],
    reply,
  );
  assert.equal(error, undefined, String(error));
  assert.equal(view.status, 'succeeded');
  const rec = step('flaky');
  assert.deepEqual(rec?.jobIds, [`${chainId}-flaky`, `${chainId}-flaky-2`]);
  assert.equal(rec.jobId, `${chainId}-flaky-2`);
  assert.equal(rec.attempts, 2);
  assert.equal(rec.state, 'succeeded');
  assert.deepEqual(
    rec.failures.map((f) => [f.jobId, f.failureClass]),
    [[`${chainId}-flaky`, 'AgentCrashed']],
  );
  assert.equal(rec.result?.finalText, 'did flaky');
  assert.deepEqual(
    calls.map((c) => [c.jobId, c.attempt]),
    [
      [`${chainId}-flaky`, 1],
      [`${chainId}-flaky-2`, 1],
      [`${chainId}-after`, 1],
    ],
  );
});
