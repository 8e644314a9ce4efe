// Review rounds on the real job workflow: a scripted reviewer judges the real diff, the scripted author revises.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveJobSpec } from '../src/client/job-input.js';
import { jobOutcome, startJob } from '../src/client/jobs.js';
import { makeRepo } from './support/repo.js';
import {
  agentStub,
  startStubbedWorker,
  stubBackends,
  succeed,
  useTemporal,
  type AgentScript,
} from './support/stub-activities.js';

const t = useTemporal();
const verdict = (v: 'approve' | 'revise', ...reasons: string[]) => succeed(JSON.stringify({ verdict: v, reasons }));
/** The author writes impl.txt, and impl.test.txt when asked to revise. */
const AUTHOR: AgentScript = {
  'claude:agent': succeed('wrote impl.txt', { sessionId: 'author-session', files: { 'impl.txt': 'impl\n' } }),
  claude: succeed('added tests', { files: { 'impl.test.txt': 'test\n' } }),
};

/** A coding job by claude in a git worktree, reviewed by codex for up to `reviewRounds` revisions. */
async function runJob(script: AgentScript, reviewRounds = 1) {
  const agent = agentStub(script);
  const h = await startStubbedWorker(
    t.env,
    { backends: stubBackends('claude', 'codex') },
    { runAgent: agent.runAgent },
  );
  try {
    const spec = resolveJobSpec(
      {
        prompt: 'implement impl',
        repo: await makeRepo(),
        kind: 'coding-agent',
        backend: 'claude',
        review: 'codex',
        reviewRounds,
      },
      h.config,
    );
    await startJob(t.env.client, h.config, spec);
    return { ...(await jobOutcome(t.env.client, spec.jobId)), agent };
  } finally {
    await h.stop();
  }
}

test('revise, then approve: the author revises in its session with the reasons; the second review sees the revision', async () => {
  const { result, error, agent } = await runJob({
    ...AUTHOR,
    'codex:review-1': succeed('```json\n{"verdict": "revise", "reasons": ["add tests for impl"]}\n```'),
    'codex:review-2': verdict('approve', 'tests added'),
  });
  assert.ok(result, String(error));
  assert.equal(result.status, 'succeeded', result.failureMessage);
  assert.deepEqual(
    result.reviews?.map((v) => [v.round, v.backend, v.verdict, v.reasons]),
    [
      [1, 'codex', 'revise', ['add tests for impl']],
      [2, 'codex', 'approve', ['tests added']],
    ],
  );
  assert.equal(result.revised, true);
  assert.deepEqual(
    agent.calls.map((c) => `${c.backend}:${c.label}`),
    ['claude:agent', 'codex:review-1', 'claude:revise-1', 'codex:review-2'],
  );
  const [, review1, revise, review2] = agent.calls;
  assert.equal(revise?.resumeSessionId, 'author-session', 'the revision resumes the author');
  assert.match(revise?.prompt ?? '', /reviewer \(codex\)[\s\S]*- add tests for impl/);
  assert.ok(review1 && review2 && !review1.resumeSessionId && !review2.resumeSessionId, 'reviewers run fresh');
  assert.match(
    review1.prompt,
    /implement impl[\s\S]*\+\+\+ b\/impl\.txt/,
    'the reviewer read the task and the real diff',
  );
  assert.doesNotMatch(review1.prompt, /impl\.test\.txt/);
  assert.match(review2.prompt, /\+\+\+ b\/impl\.test\.txt/, 'round 2 reviewed the revision');
  assert.deepEqual(result.filesChanged, ['impl.test.txt', 'impl.txt']);
  assert.equal(result.finalText, 'added tests', 'the author speaks for the job, not the reviewer');
});

test('a reviewer answering prose fails the job with ReviewMalformed; nothing is revised', async () => {
  const { result, error, agent } = await runJob({ ...AUTHOR, codex: succeed('Looks great to me, ship it!') });
  assert.ok(error && result, 'the job failed, with its result');
  assert.equal(result.status, 'failed');
  assert.equal(result.failureClass, 'ReviewMalformed');
  assert.match(result.failureMessage ?? '', /no valid verdict/);
  assert.deepEqual(
    agent.calls.map((c) => c.label),
    ['agent', 'review-1'],
  );
});

test('a reviewer still asking for revision after review.rounds fails the job with ReviewRejected', async () => {
  const { result, error, agent } = await runJob({ ...AUTHOR, codex: verdict('revise', 'still no edge cases') }, 1);
  assert.ok(error && result, 'the job failed, with its result');
  assert.equal(result.status, 'failed');
  assert.equal(result.failureClass, 'ReviewRejected');
  assert.match(result.failureMessage ?? '', /still no edge cases/);
  assert.deepEqual(
    result.reviews?.map((v) => v.verdict),
    ['revise', 'revise'],
  );
  assert.equal(result.revised, false, 'a revision that was never approved');
  assert.deepEqual(
    agent.calls.map((c) => c.label),
    ['agent', 'review-1', 'revise-1', 'review-2'],
    'one revision, then no more',
  );
});
