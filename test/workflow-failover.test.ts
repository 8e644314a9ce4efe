// Failover order on the real job and capacity workflows, with a scripted agent: which backend runs, in which order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveJobSpec } from '../src/client/job-input.js';
import { capacityView, jobOutcome, startJob } from '../src/client/jobs.js';
import { FailureClass } from '../src/protocol/failures.js';
import {
  agentStub,
  fail,
  rateLimited,
  startStubbedWorker,
  stubBackends,
  succeed,
  useTemporal,
  type AgentCall,
  type AgentReply,
  type AgentScript,
} from './support/stub-activities.js';

const t = useTemporal();
const HOUR = 3600_000;

/** Route llm: claude, then codex, then gemini; a limit that resets within a minute is waited for. */
async function harness(script: AgentScript) {
  const agent = agentStub(script);
  const h = await startStubbedWorker(
    t.env,
    {
      backends: stubBackends('claude', 'codex', 'gemini'),
      routes: { llm: { backend: 'claude', fallbacks: ['codex', 'gemini'] } },
      failover: { maxWaitSeconds: 60 },
    },
    { runAgent: agent.runAgent },
  );
  const run = async (prompt: string) => {
    const spec = resolveJobSpec({ prompt, kind: 'llm', workspace: 'none' }, h.config);
    await startJob(t.env.client, h.config, spec);
    return jobOutcome(t.env.client, spec.jobId);
  };
  return { h, agent, run };
}

/** The failover trail as `backend outcome [class]` lines. */
const trail = (r: { backends: { backend: string; outcome: string; failureClass?: string }[] } | undefined) =>
  r?.backends.map((b) => `${b.backend} ${b.outcome} ${b.failureClass ?? ''}`.trim());
/** The agent runs as `backend#attempt`. */
const runs = (calls: AgentCall[]) => calls.map((c) => `${c.backend}#${c.attempt}`);
/** Tests that must stay on claude: any other backend answering gives itself away. */
const OTHERS = { codex: succeed('wrong backend'), gemini: succeed('wrong backend') };

test('a long rate limit and an exhausted quota move the job down the route; the next job skips both', async () => {
  const resetAt = Date.now() + 2 * HOUR;
  const { h, agent, run } = await harness({
    claude: rateLimited(resetAt),
    codex: fail(FailureClass.QuotaExhausted),
    gemini: succeed('answered on gemini'),
  });
  try {
    const started = Date.now();
    const first = await run('first');
    assert.ok(first.result, String(first.error));
    assert.equal(first.result.status, 'succeeded');
    assert.equal(first.result.backend, 'gemini');
    assert.equal(first.result.finalText, 'answered on gemini');
    assert.deepEqual(trail(first.result), [
      'claude failed RateLimited',
      'codex failed QuotaExhausted',
      'gemini succeeded',
    ]);
    const [claude, codex, gemini] = first.result.backends;
    assert.equal(claude?.limitedUntil, resetAt, 'the reset the CLI announced');
    const quotaUntil = codex?.limitedUntil ?? 0;
    assert.ok(
      quotaUntil >= started + HOUR - 1000 && quotaUntil <= Date.now() + HOUR,
      'a quota with no reset: assumed an hour',
    );
    assert.equal(gemini?.limitedUntil, undefined);
    // One attempt each: a long limit and a quota are not retried on the same backend; only the last may not fail over.
    assert.deepEqual(runs(agent.calls), ['claude#1', 'codex#1', 'gemini#1']);
    assert.deepEqual(
      agent.calls.map((c) => c.canFailover),
      [true, true, false],
    );
    assert.ok(agent.calls.every((c) => c.label === 'agent'));
    const limited = (await capacityView(t.env.client, h.config)).limitedBackends;
    assert.deepEqual(Object.keys(limited).sort(), ['claude', 'codex']);
    assert.equal(limited['claude'], resetAt);

    const before = agent.calls.length;
    const second = await run('second');
    assert.equal(second.result?.status, 'succeeded');
    assert.deepEqual(trail(second.result), ['claude skipped', 'codex skipped', 'gemini succeeded']);
    assert.equal(second.result?.backends[0]?.limitedUntil, resetAt);
    assert.deepEqual(runs(agent.calls.slice(before)), ['gemini#1'], 'the limited backends were not called');
  } finally {
    await h.stop();
  }
});

test('a rate limit that resets within failover.maxWaitSeconds is retried on the same backend, after the reset', async () => {
  let resetAt = 0;
  const claude = (c: AgentCall): AgentReply => {
    if (c.attempt > 1) return succeed('answered on claude');
    resetAt = Date.now() + 4000; // later than the retry policy's 2 s first interval: only the announced reset explains the wait
    return rateLimited(resetAt);
  };
  const { h, agent, run } = await harness({ claude, ...OTHERS });
  try {
    const { result, error } = await run('short limit');
    assert.ok(result, String(error));
    assert.equal(result.status, 'succeeded');
    assert.equal(result.backend, 'claude');
    assert.equal(result.attempts, 2);
    assert.deepEqual(trail(result), ['claude succeeded']);
    assert.deepEqual(runs(agent.calls), ['claude#1', 'claude#2']);
    assert.ok((agent.calls[1]?.at ?? 0) >= resetAt - 250, 'the retry came no sooner than the reset');
    assert.deepEqual((await capacityView(t.env.client, h.config)).limitedBackends, {}, 'no backend marked limited');
  } finally {
    await h.stop();
  }
});

test('AuthFailed marks the backend auth-broken and moves on (no rate limit); the next job skips it untried', async () => {
  const { h, agent, run } = await harness({
    claude: fail(FailureClass.AuthFailed, 'invalid API key'),
    codex: succeed('answered on codex'),
    gemini: succeed('wrong backend'),
  });
  try {
    const first = await run('auth');
    assert.ok(first.result, String(first.error));
    assert.equal(first.result.status, 'succeeded');
    assert.equal(first.result.backend, 'codex');
    assert.deepEqual(trail(first.result), ['claude failed AuthFailed', 'codex succeeded']);
    assert.deepEqual(runs(agent.calls), ['claude#1', 'codex#1'], 'one attempt: AuthFailed is not retried');
    const view = await capacityView(t.env.client, h.config);
    assert.deepEqual(view.limitedBackends, {}, 'auth is no capacity limit');
    assert.deepEqual(Object.keys(view.authBroken), ['claude']);
    assert.match(view.authBroken['claude']?.message ?? '', /invalid API key/);

    const before = agent.calls.length;
    const second = await run('second');
    assert.equal(second.result?.status, 'succeeded');
    assert.deepEqual(trail(second.result), ['claude skipped AuthFailed', 'codex succeeded']);
    assert.deepEqual(runs(agent.calls.slice(before)), ['codex#1'], 'the auth-broken backend was not called');
  } finally {
    await h.stop();
  }
});

test('AuthFailed with no backend left: the job fails AuthFailed after one attempt, and the backend is marked', async () => {
  const { h, agent } = await harness({ claude: fail(FailureClass.AuthFailed, 'invalid API key'), ...OTHERS });
  try {
    const spec = resolveJobSpec({ prompt: 'pinned', kind: 'llm', backend: 'claude', workspace: 'none' }, h.config);
    await startJob(t.env.client, h.config, spec);
    const { result, error } = await jobOutcome(t.env.client, spec.jobId);
    assert.ok(error && result, 'the job failed, with its result');
    assert.equal(result.failureClass, 'AuthFailed');
    assert.match(result.failureMessage ?? '', /invalid API key/);
    assert.deepEqual(trail(result), ['claude failed AuthFailed']);
    assert.deepEqual(runs(agent.calls), ['claude#1']);
    assert.deepEqual(Object.keys((await capacityView(t.env.client, h.config)).authBroken), ['claude']);
  } finally {
    await h.stop();
  }
});
