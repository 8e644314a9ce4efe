// Per-job caps (`--max-tokens`, `--max-cost`, `jobs.*ByKind`): a run past its cap is stopped, BudgetExceeded, kept.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveJobSpec } from '../src/client/job-input.js';
import { jobOutcome, startJob } from '../src/client/jobs.js';
import { primaryDirectory, turns, type Script, type ScriptedReply } from '../src/dev/scripted-model/anthropic.js';
import type { JobResult } from '../src/protocol/result.js';
import { parseConfig } from '../src/config/load.js';
import { claudeBackend } from './support/claude.js';
import { nightshift } from './support/cli.js';
import { assertCommitted } from './support/commit.js';
import { jobFailure } from './support/outcomes.js';
import { processesIn } from './support/procs.js';
import { makeRepo } from './support/repo.js';
import { useTemporalAndModel } from './support/suite.js';
import { startWorker } from './support/temporal.js';

const t = useTemporalAndModel();
const TURN_TOKENS = 3000;

/** Each turn reports 3000 input tokens and writes `step-N.txt`: ten turns, were it never stopped. */
const writeEachTurn: Script = (body, i) => {
  const dir = primaryDirectory(body) ?? '';
  const write = (n: number): ScriptedReply => ({
    kind: 'message',
    inputTokens: TURN_TOKENS,
    blocks: [{ type: 'tool_use', name: 'Write', input: { file_path: `${dir}/step-${n}.txt`, content: `step ${n}\n` } }],
  });
  return turns(Array.from({ length: 10 }, (_, n) => write(n)))(body, i);
};

test('claude past --max-tokens: stopped, BudgetExceeded after one attempt, no process left, its write kept', async () => {
  t.stub.setScript(writeEachTurn);
  const repo = await makeRepo();
  const h = await startWorker(t.env, { backends: { claude: claudeBackend(t.stub.url) } });
  try {
    const input = { prompt: 'write', repo, backend: 'claude', maxTokens: 5000, maxAttempts: 3 };
    const spec = resolveJobSpec(input, h.config);
    await startJob(t.env.client, h.config, spec);
    const failure = await jobFailure(t.env.client, spec.jobId);
    assert.equal(failure.type, 'BudgetExceeded');
    assert.match(failure.message, /token cap 5000 passed: \d+ tokens/);
    const result = failure.details?.[0] as JobResult;
    assert.equal(result.status, 'failed');
    assert.equal(result.attempts, 1);
    const modelTurns = t.stub.requests.filter((r) => (r.body.tools?.length ?? 0) > 0).length;
    assert.ok(modelTurns < 5, `stopped early: ${modelTurns} model turns of 10`);
    const wt = join(h.dataDir, 'worktrees', spec.jobId);
    assert.deepEqual(processesIn(wt), []);
    // The first turn's write (3000 tokens, under the cap) is the failed job's commit.
    assert.ok(result.filesChanged.includes('step-0.txt'), result.filesChanged.join(', '));
    await assertCommitted(repo, result, { 'step-0.txt': 'step 0\n' }, { worktree: wt, failed: true });
  } finally {
    await h.stop();
  }
});

/** A command agent that writes out.txt and reports 100+10 tokens on its usage line. */
const REPORTING_AGENT = [
  '-c',
  'echo done > out.txt; echo \'{"nightshift":{"tokens":{"input":100,"output":10,"cacheRead":0,"cacheWrite":0}}}\'',
];

test('a command job under its cap succeeds; a kind default cap from config stops another', async () => {
  const repo = await makeRepo();
  const h = await startWorker(t.env, {
    backends: { command: { command: 'sh', extraArgs: REPORTING_AGENT } },
    jobs: { maxTokensByKind: { llm: 50 } },
  });
  try {
    const under = resolveJobSpec({ prompt: 'x', repo, backend: 'command', maxTokens: 1000 }, h.config);
    await startJob(t.env.client, h.config, under);
    const ok = await jobOutcome(t.env.client, under.jobId);
    assert.equal(ok.result?.status, 'succeeded', ok.error?.message);
    assert.equal(ok.result?.tokens.input, 100);
    const capped = resolveJobSpec({ prompt: 'x', kind: 'llm', backend: 'command', workspace: 'none' }, h.config);
    assert.equal(capped.maxTokens, 50);
    await startJob(t.env.client, h.config, capped);
    const failure = await jobFailure(t.env.client, capped.jobId);
    assert.equal(failure.type, 'BudgetExceeded');
    assert.match(failure.message, /token cap 50 passed: 110 tokens/);
  } finally {
    await h.stop();
  }
});

test('caps resolve: the flag wins over the kind default; a bad --max-tokens or --max-cost is exit 2 naming it', async () => {
  const config = parseConfig({ jobs: { maxTokensByKind: { llm: 50 }, maxCostUsdByKind: { llm: 0.5 } } });
  const spec = resolveJobSpec({ prompt: 'x', kind: 'llm', workspace: 'none', maxTokens: 900 }, config);
  assert.deepEqual([spec.maxTokens, spec.maxCostUsd], [900, 0.5]);
  assert.throws(() => resolveJobSpec({ prompt: 'x', workspace: 'none', maxCostUsd: -1 }, config), /maxCostUsd/);
  for (const [flag, value] of [
    ['--max-tokens', 'abc'],
    ['--max-cost', 'lots'],
  ] as const) {
    const r = await nightshift(['submit', 'hi', flag, value], { address: t.env.address });
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`${flag}.*${value}`));
  }
});
