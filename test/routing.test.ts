// Failover and routing, portable instructions, and the "did it do anything" guard — on the real claude.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { resolveJobSpec } from '../src/client/job-input.js';
import { capacityView, startJob } from '../src/client/jobs.js';
import { primaryDirectory, turns } from '../src/dev/scripted-model/anthropic.js';
import { claudeBackend } from './support/claude.js';
import { assertCommitted } from './support/commit.js';
import { makeRepo } from './support/repo.js';
import { slowAgent } from './support/slow-agent.js';
import { useTemporalAndModel } from './support/suite.js';
import { startWorker } from './support/temporal.js';

const t = useTemporalAndModel();

test('claude rate-limited for an hour: the job completes on the next backend; the next job skips claude', async () => {
  const resetAt = Date.now() + 3600_000;
  t.stub.setScript((body) => {
    if (!body.tools?.length) return { kind: 'message', blocks: [{ type: 'text', text: 'ok' }] };
    const message = `Claude AI usage limit reached|${Math.floor(resetAt / 1000)}`;
    return { kind: 'error', status: 429, body: { type: 'error', error: { type: 'rate_limit_error', message } } };
  });
  const fallback = slowAgent(0);
  const h = await startWorker(t.env, {
    backends: { claude: claudeBackend(t.stub.url), command: fallback.backend },
    routes: { llm: { backend: 'claude', fallbacks: ['command'] } },
    failover: { maxWaitSeconds: 60 },
  });
  try {
    const run = async (input: Record<string, unknown>) => {
      const spec = resolveJobSpec({ kind: 'llm', workspace: 'none', ...input }, h.config);
      return (await startJob(t.env.client, h.config, spec)).result();
    };
    const claudeCalls = () => t.stub.requests.filter((r) => r.body.tools?.length).length;
    const before = claudeCalls();
    const first = await run({ prompt: 'first' });
    assert.equal(first.status, 'succeeded');
    assert.equal(first.backend, 'command');
    assert.equal(first.finalText.trim(), 'done first');
    assert.equal(claudeCalls() - before, 1, 'one claude attempt: waiting an hour is longer than failing over');
    assert.deepEqual(
      first.backends.map((b) => [b.backend, b.outcome, b.failureClass]),
      [
        ['claude', 'failed', 'RateLimited'],
        ['command', 'succeeded', undefined],
      ],
    );
    assert.equal(first.backends[0]?.limitedUntil, Math.floor(resetAt / 1000) * 1000);
    const view = await capacityView(t.env.client, h.config);
    assert.equal(view.limitedBackends['claude'], Math.floor(resetAt / 1000) * 1000);

    const second = await run({ prompt: 'second' });
    assert.equal(claudeCalls() - before, 1, 'the next job did not try claude');
    assert.deepEqual(
      second.backends.map((b) => [b.backend, b.outcome]),
      [
        ['claude', 'skipped'],
        ['command', 'succeeded'],
      ],
    );
    assert.equal(second.backend, 'command');

    // --backend pins one backend: no failover, the rate limit is the job's failure.
    const spec = resolveJobSpec(
      { prompt: 'pinned', kind: 'llm', workspace: 'none', backend: 'claude', maxAttempts: 1 },
      h.config,
    );
    const err = await (await startJob(t.env.client, h.config, spec)).result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'RateLimited');
    assert.equal(claudeCalls() - before, 2);
  } finally {
    await h.stop();
  }
});

test("portable instructions reach claude as CLAUDE.md; they are not counted as the agent's change", async () => {
  t.stub.setScript((body, i) => {
    const dir = primaryDirectory(body) ?? '';
    const saw = JSON.stringify(body.messages ?? []).includes('Always answer in haiku.');
    return turns([
      {
        kind: 'message',
        blocks: [
          {
            type: 'tool_use',
            name: 'Write',
            input: { file_path: `${dir}/out.txt`, content: saw ? 'saw instructions\n' : 'no instructions\n' },
          },
        ],
      },
      { kind: 'message', blocks: [{ type: 'text', text: 'wrote out.txt' }] },
    ])(body, i);
  });
  const h = await startWorker(t.env, {
    backends: { claude: claudeBackend(t.stub.url) },
    instructions: 'Always answer in haiku.',
    // The test reads the CLAUDE.md the engine wrote into the workspace, which is never committed: keep the worktree.
    jobs: { keepWorktrees: 'always' },
  });
  try {
    const repo = await makeRepo();
    const spec = resolveJobSpec({ prompt: 'go', repo, kind: 'coding-agent' }, h.config);
    const result = await (await startJob(t.env.client, h.config, spec)).result();
    assert.equal(result.status, 'succeeded');
    assert.equal(readFileSync(join(result.workspace ?? '', 'out.txt'), 'utf8'), 'saw instructions\n');
    assert.ok(existsSync(join(result.workspace ?? '', 'CLAUDE.md')));
    assert.deepEqual(result.filesChanged, ['out.txt']);
    // The commit holds the agent's out.txt, not the CLAUDE.md the engine wrote.
    const worktree = result.workspace ?? '';
    await assertCommitted(repo, result, { 'out.txt': 'saw instructions\n' }, { worktree, kept: true });
    // A repo's own CLAUDE.md wins: it is not overwritten.
    const own = await makeRepo({ 'README.md': '# r\n', 'CLAUDE.md': 'Repo rules.\n' });
    const spec2 = resolveJobSpec({ prompt: 'go', repo: own, kind: 'coding-agent' }, h.config);
    const r2 = await (await startJob(t.env.client, h.config, spec2)).result();
    assert.equal(readFileSync(join(r2.workspace ?? '', 'CLAUDE.md'), 'utf8'), 'Repo rules.\n');
    assert.equal(readFileSync(join(r2.workspace ?? '', 'out.txt'), 'utf8'), 'no instructions\n');
    const kept = { worktree: r2.workspace ?? '', kept: true };
    await assertCommitted(own, r2, { 'out.txt': 'no instructions\n', 'CLAUDE.md': 'Repo rules.\n' }, kept);
  } finally {
    await h.stop();
  }
});

test('a coding job that changes nothing is no_op, unless the agent says why', async () => {
  const h = await startWorker(t.env, { backends: { claude: claudeBackend(t.stub.url) } });
  try {
    const repo = await makeRepo();
    writeFileSync(join(repo, 'untracked-before.txt'), 'x'); // in-place baseline: not the agent's change
    const run = async (text: string) => {
      t.stub.setScript(turns([{ kind: 'message', blocks: [{ type: 'text', text }] }]));
      const spec = resolveJobSpec(
        { prompt: 'fix the bug', repo, kind: 'coding-agent', workspace: 'in-place' },
        h.config,
      );
      return (await startJob(t.env.client, h.config, spec)).result();
    };
    const silent = await run('Done.');
    assert.equal(silent.status, 'no_op');
    assert.deepEqual(silent.filesChanged, []);
    const explained = await run('No changes needed: the input is already validated in parse().');
    assert.equal(explained.status, 'succeeded');
    assert.match(explained.noChangeReason ?? '', /No changes needed/);
  } finally {
    await h.stop();
  }
});
