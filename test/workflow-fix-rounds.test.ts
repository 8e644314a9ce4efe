// Fix rounds on the real job workflow: a scripted check fails, the scripted agent is resumed with its output.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveJobSpec } from '../src/client/job-input.js';
import { jobOutcome, startJob } from '../src/client/jobs.js';
import { makeRepo } from './support/repo.js';
import {
  agentStub,
  checkStub,
  startStubbedWorker,
  stubBackends,
  succeed,
  useTemporal,
  type AgentScript,
} from './support/stub-activities.js';

const t = useTemporal();

/** A coding job on claude in a git worktree, with `npm test` as its check (scripted) and `fixRounds` rounds. */
async function runJob(script: AgentScript, checks: { passed: boolean; output: string }[], fixRounds: number) {
  const agent = agentStub(script);
  const check = checkStub(checks);
  const h = await startStubbedWorker(
    t.env,
    { backends: stubBackends('claude') },
    { runAgent: agent.runAgent, runCheck: check.runCheck },
  );
  try {
    const spec = resolveJobSpec(
      {
        prompt: 'make the tests pass',
        repo: await makeRepo(),
        kind: 'coding-agent',
        backend: 'claude',
        check: ['npm', 'test'],
        fixRounds,
      },
      h.config,
    );
    await startJob(t.env.client, h.config, spec);
    return { ...(await jobOutcome(t.env.client, spec.jobId)), agent, check };
  } finally {
    await h.stop();
  }
}

test('a check that fails twice: two fix rounds resume the first session with the check output; then it passes', async () => {
  const { result, error, agent, check } = await runJob(
    {
      'claude:agent': succeed('wrote a.txt', { sessionId: 'author-session', files: { 'a.txt': 'a\n' } }),
      'claude:fix-1': succeed('wrote b.txt', { files: { 'b.txt': 'b\n' } }),
      'claude:fix-2': succeed('wrote c.txt', { files: { 'c.txt': 'c\n' } }),
    },
    [
      { passed: false, output: 'FAIL one: expected 1, got 0' },
      { passed: false, output: 'FAIL two: expected 2, got 1' },
      { passed: true, output: 'all tests passed' },
    ],
    2,
  );
  assert.ok(result, String(error));
  assert.equal(result.status, 'succeeded', result.failureMessage);
  assert.equal(result.fixRounds, 2);
  assert.equal(result.check?.passed, true);
  assert.equal(result.check.outputTail, 'all tests passed');
  assert.deepEqual(
    agent.calls.map((c) => c.label),
    ['agent', 'fix-1', 'fix-2'],
  );
  assert.equal(agent.calls[0]?.resumeSessionId, undefined, 'the first run starts a session');
  for (const fix of agent.calls.slice(1))
    assert.equal(fix.resumeSessionId, 'author-session', `${fix.label} resumes the first run's session`);
  assert.match(agent.calls[1]?.prompt ?? '', /npm test[\s\S]*FAIL one: expected 1, got 0/);
  assert.match(agent.calls[2]?.prompt ?? '', /FAIL two: expected 2, got 1/);
  assert.doesNotMatch(agent.calls[2]?.prompt ?? '', /FAIL one/, 'each round carries the latest check output');
  assert.equal(check.calls.length, 3);
  assert.ok(
    check.calls.every((c) => c.cwd === result.workspace),
    'the check runs in the job workspace',
  );
  assert.deepEqual(result.filesChanged, ['a.txt', 'b.txt', 'c.txt'], "every round's files count (real changedFiles)");
  assert.equal(result.sessionId, 'author-session');
  assert.equal(result.finalText, 'wrote c.txt', 'the last follow-up speaks for the job');
  assert.equal(result.tokens.input, 300, 'usage summed over the three runs');
});

test('a check still failing after the last fix round fails the job with CheckFailed', async () => {
  const { result, error, agent, check } = await runJob(
    { claude: succeed('tried', { sessionId: 'author-session', files: { 'a.txt': 'a\n' } }) },
    [{ passed: false, output: 'FAIL: still broken' }],
    1,
  );
  assert.ok(error && result, 'the job failed, with its result');
  assert.equal(result.status, 'failed');
  assert.equal(result.failureClass, 'CheckFailed');
  assert.match(result.failureMessage ?? '', /npm test exited 1/);
  assert.equal(result.fixRounds, 1);
  assert.equal(result.check?.passed, false);
  assert.deepEqual(
    agent.calls.map((c) => c.label),
    ['agent', 'fix-1'],
  );
  assert.equal(check.calls.length, 2, 'one check after the agent, one after the single fix round');
});
