// A warm session on the real session and job workflows, with a scripted agent whose old session is gone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSession, submitToSession, waitForSessionJob } from '../src/client/sessions.js';
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

/** Every run starts agent session `sess-<jobId>`; resuming any session fails as a CLI does when it is gone. */
const forgetful = (call: AgentCall): AgentReply =>
  call.resumeSessionId
    ? fail(FailureClass.SessionNotFound, `No conversation found with session ID: ${call.resumeSessionId}`)
    : succeed(`done ${call.prompt}`, { sessionId: `sess-${call.jobId}`, files: { [`${call.jobId}.txt`]: 'x\n' } });

test('a session that cannot be resumed: the job reruns once as `<jobId>-fresh` without resuming, and says so', async () => {
  const agent = agentStub({ claude: forgetful });
  const h = await startStubbedWorker(t.env, { backends: stubBackends('claude') }, { runAgent: agent.runAgent });
  try {
    const repo = await makeRepo();
    const s1 = await submitToSession(t.env.client, h.config, 'warm', {
      prompt: 'job one',
      repo,
      kind: 'llm',
      backend: 'claude',
    });
    const r1 = (await waitForSessionJob(t.env.client, h.config, 'warm', s1.jobId, 200)).result;
    assert.equal(r1?.status, 'succeeded');
    assert.equal(r1.sessionId, `sess-${s1.jobId}`);

    const s2 = await submitToSession(t.env.client, h.config, 'warm', { prompt: 'job two', kind: 'llm' });
    const record = await waitForSessionJob(t.env.client, h.config, 'warm', s2.jobId, 200);
    const r2 = record.result;
    assert.equal(r2?.status, 'succeeded', r2?.failureMessage);
    assert.equal(r2.jobId, `${s2.jobId}-fresh`, 'the rerun is its own child job');
    assert.equal(r2.freshSession, true);
    assert.equal(r2.sessionId, `sess-${s2.jobId}-fresh`);
    assert.equal(record.freshSession, true);
    assert.equal(record.resumedSessionId, r1.sessionId);
    assert.match(record.resumeFailure ?? '', /No conversation found/);
    assert.equal(record.status, 'succeeded');

    assert.deepEqual(
      agent.calls.map((c) => [c.jobId, c.resumeSessionId]),
      [
        [s1.jobId, undefined],
        [s2.jobId, r1.sessionId],
        [`${s2.jobId}-fresh`, undefined],
      ],
    );
    assert.equal(
      agent.calls.filter((c) => c.resumeSessionId).length,
      1,
      'one resume attempt: SessionNotFound is not retried',
    );
    assert.ok(agent.calls.every((c) => c.backend === 'claude' && c.label === 'agent'));
    const view = await openSession(t.env.client, h.config, 'warm');
    assert.equal(view?.agentSessionId, r2.sessionId, 'the next job resumes the fresh session');
    assert.equal(view.jobsDone, 2);
    assert.equal(view.jobsFailed, 0, 'the failed resume is not counted as a failed job');
  } finally {
    await h.stop();
  }
});
