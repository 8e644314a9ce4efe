// Failure classes on the real claude CLI: rate limit, auth, hang, cancel.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ApplicationFailure } from '@temporalio/client';
import { execa } from 'execa';
import { resolveJobSpec } from '../src/client/job-input.js';
import { capacityView, jobProgress, startJob } from '../src/client/jobs.js';
import { primaryDirectory, turns, type Script, type ScriptedReply } from '../src/dev/scripted-model/anthropic.js';
import type { JobResult } from '../src/protocol/result.js';
import { claudeBackend } from './support/claude.js';
import { nightshift } from './support/cli.js';
import { assertCommitted } from './support/commit.js';
import { processesIn, waitFor } from './support/procs.js';
import { makeRepo } from './support/repo.js';
import { useTemporalAndModel } from './support/suite.js';
import { jobFailure, previousAttemptFailure } from './support/outcomes.js';
import { startWorker, type Harness } from './support/temporal.js';

const t = useTemporalAndModel();

const done: ScriptedReply = { kind: 'message', blocks: [{ type: 'text', text: 'fine' }] };

/** Claude writes `file` in its working directory, then the next model call hangs. */
const writeThenHang =
  (file: string, content: string): Script =>
  (body, i) => {
    const file_path = `${primaryDirectory(body) ?? ''}/${file}`;
    const write: ScriptedReply = {
      kind: 'message',
      blocks: [{ type: 'tool_use', name: 'Write', input: { file_path, content } }],
    };
    return turns([write, { kind: 'hang' }])(body, i);
  };

/** The job's branches in `repo`. */
async function branches(repo: string, jobId: string): Promise<string[]> {
  const out = await execa('git', ['-C', repo, 'branch', '--list', '--format=%(refname:short)', `nightshift/${jobId}*`]);
  return out.stdout.split('\n').filter(Boolean);
}

async function withWorker<T>(fn: (h: Harness) => Promise<T>, raw: Record<string, unknown> = {}): Promise<T> {
  const h = await startWorker(t.env, { backends: { claude: claudeBackend(t.stub.url) }, ...raw });
  try {
    return await fn(h);
  } finally {
    await h.stop();
  }
}

test('429 with a reset → RateLimited, retried no sooner than the reset, then succeeds', async () => {
  const resetAt = Date.now() + 6000;
  const times: number[] = [];
  t.stub.setScript((body) => {
    if (!body.tools?.length) return done;
    times.push(Date.now());
    if (times.length === 1) {
      const message = `Claude AI usage limit reached|${Math.floor(resetAt / 1000)}`;
      return { kind: 'error', status: 429, body: { type: 'error', error: { type: 'rate_limit_error', message } } };
    }
    return done;
  });
  await withWorker(async (h) => {
    const spec = resolveJobSpec({ prompt: 'hi', kind: 'llm', workspace: 'none' }, h.config);
    const result = await (await startJob(t.env.client, h.config, spec)).result();
    assert.equal(result.status, 'succeeded');
    assert.equal(result.attempts, 2);
    assert.equal(times.length, 2);
    assert.ok(
      (times[1] ?? 0) >= Math.floor(resetAt / 1000) * 1000,
      `retried ${(times[1] ?? 0) - resetAt}ms relative to the reset`,
    );
    assert.equal(await previousAttemptFailure(t.env.client, spec.jobId, 2), 'RateLimited');
  });
});

test('401 → AuthFailed after exactly one attempt', async () => {
  let calls = 0;
  t.stub.setScript((body) => {
    if (!body.tools?.length) return done;
    calls++;
    return {
      kind: 'error',
      status: 401,
      body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } },
    };
  });
  await withWorker(async (h) => {
    const spec = resolveJobSpec({ prompt: 'hi', kind: 'llm', workspace: 'none', maxAttempts: 5 }, h.config);
    await startJob(t.env.client, h.config, spec);
    const failure = await jobFailure(t.env.client, spec.jobId);
    assert.equal(failure.type, 'AuthFailed');
    assert.equal(failure.cause?.name, 'ActivityFailure');
    assert.equal((failure.cause?.cause as ApplicationFailure).type, 'AuthFailed');
    assert.equal(calls, 1);
    const result = failure.details?.[0] as { attempts: number; status: string };
    assert.equal(result.status, 'failed');
    assert.equal(result.attempts, 1);
  });
});

test('a hung claude is killed at the hang timeout, its process group gone, the lease released', async () => {
  t.stub.setScript((body) => (body.tools?.length ? { kind: 'hang' } : done));
  const repo = await makeRepo();
  await withWorker(async (h) => {
    const spec = resolveJobSpec(
      { prompt: 'hang', repo, kind: 'coding-agent', hangTimeoutSeconds: 3, maxAttempts: 1 },
      h.config,
    );
    const t0 = Date.now();
    await startJob(t.env.client, h.config, spec);
    const wt = join(h.dataDir, 'worktrees', spec.jobId);
    await waitFor('claude running in the worktree', () => processesIn(wt).length > 0);
    const failure = await jobFailure(t.env.client, spec.jobId);
    assert.equal(failure.type, 'AgentTimedOut');
    assert.ok(Date.now() - t0 < 20_000);
    assert.deepEqual(processesIn(wt), []);
    const view = await capacityView(t.env.client, h.config);
    assert.equal(view.slots.used, 0);
    // It changed nothing: no commit, its branch keeps its name; a failed job's worktree is kept.
    const result = failure.details?.[0] as JobResult;
    assert.equal(result.commit, undefined, result.commitError);
    assert.equal(result.worktreeRemoved, undefined);
    assert.ok(existsSync(wt));
    assert.deepEqual(await branches(repo, spec.jobId), [`nightshift/${spec.jobId}`]);
  });
});

test('`nightshift cancel` kills the process group and releases the lease; the partial work is on the -failed branch', async () => {
  t.stub.setScript(writeThenHang('partial.txt', 'cancelled midway\n'));
  const repo = await makeRepo();
  await withWorker(async (h) => {
    const spec = resolveJobSpec({ prompt: 'hang', repo, kind: 'coding-agent' }, h.config);
    await startJob(t.env.client, h.config, spec);
    const wt = join(h.dataDir, 'worktrees', spec.jobId);
    await waitFor('claude running in the worktree', () => processesIn(wt).length > 0);
    await waitFor('the partial write', () => existsSync(join(wt, 'partial.txt')));
    assert.equal((await capacityView(t.env.client, h.config)).slots.used, 1);
    await waitFor('a heartbeat', async () => {
      const s = await nightshift(['status', spec.jobId, '--json'], { address: t.env.address, harness: h });
      const p = JSON.parse(s.stdout) as { step: string; status: string; live?: { attempt: number; turns: number } };
      return p.step === 'running-agent' && p.status === 'running' && p.live?.attempt === 1 && p.live.turns === 1;
    });
    const r = await nightshift(['cancel', spec.jobId], { address: t.env.address, harness: h });
    assert.equal(r.exitCode, 0, r.stderr);
    await waitFor(
      'the workflow to close',
      async () => (await t.env.client.workflow.getHandle(spec.jobId).describe()).status.name === 'CANCELLED',
    );
    assert.deepEqual(processesIn(wt), []);
    await waitFor(
      'the lease to be released',
      async () => (await capacityView(t.env.client, h.config)).slots.used === 0,
      5000,
    );
    const progress = await jobProgress(t.env.client, spec.jobId);
    assert.equal(progress.status, 'cancelled');
    assert.equal(progress.step, 'done');
    // A cancelled job's partial work is committed like a failed one's: on nightshift/<jobId>-failed, worktree kept.
    assert.ok(progress.result);
    await assertCommitted(
      repo,
      progress.result,
      { 'partial.txt': 'cancelled midway\n' },
      { worktree: wt, failed: true, touched: ['partial.txt'] },
    );
    assert.deepEqual(await branches(repo, spec.jobId), [`nightshift/${spec.jobId}-failed`]);
  });
});

test('model server down → AgentCrashed within seconds, not minutes of hidden retries', async () => {
  const h = await startWorker(t.env, { backends: { claude: claudeBackend('http://127.0.0.1:9') } });
  try {
    const spec = resolveJobSpec({ prompt: 'hi', kind: 'llm', workspace: 'none', maxAttempts: 1 }, h.config);
    const t0 = Date.now();
    await startJob(t.env.client, h.config, spec);
    const failure = await jobFailure(t.env.client, spec.jobId);
    const elapsed = Date.now() - t0;
    assert.equal(failure.type, 'AgentCrashed');
    assert.match(failure.message, /connect|ECONNREFUSED|Connection|network|fetch/i);
    assert.ok(elapsed < 30_000, `classified in ${elapsed} ms`);
  } finally {
    await h.stop();
  }
});
