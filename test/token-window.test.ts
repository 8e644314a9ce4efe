// The rolling token window: a grant reserves the kind's estimate, the release books what the CLI reported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveJobSpec } from '../src/client/job-input.js';
import { capacityView, jobProgress, startJob } from '../src/client/jobs.js';
import { turns } from '../src/dev/scripted-model/anthropic.js';
import { claudeBackend } from './support/claude.js';
import { useTemporalAndModel } from './support/suite.js';
import { startWorker } from './support/temporal.js';

const t = useTemporalAndModel();

test('a full token window holds background jobs back until it slides; the operator lane is not held', async () => {
  t.stub.setScript(
    turns([
      { kind: 'message', blocks: [{ type: 'text', text: 'big answer' }], inputTokens: 420_000, outputTokens: 1000 },
    ]),
  );
  const h = await startWorker(t.env, {
    backends: { claude: claudeBackend(t.stub.url) },
    capacity: { tokenBudget: 500_000, windowSeconds: 6 },
    estimates: { llm: 50_000 },
  });
  try {
    const submit = async (lane: string) => {
      const spec = resolveJobSpec({ prompt: `${lane} job`, kind: 'llm', workspace: 'none', lane }, h.config);
      return (await startJob(t.env.client, h.config, spec)).result();
    };
    const first = await submit('background');
    assert.equal(first.tokens.input, 420_000, 'tokens reported by the CLI');
    const afterFirst = await capacityView(t.env.client, h.config);
    assert.equal(afterFirst.tokens.inWindow, 421_000, 'the release replaced the 50k estimate with the actual tokens');
    assert.equal(afterFirst.backpressure.on, true);
    assert.match(afterFirst.backpressure.reasons.join(), /tokens 421000 >= 80% of 500000/);
    const operator = await submit('operator');
    assert.ok(operator.leaseWaitMs < 2000, `operator waited ${operator.leaseWaitMs}ms`);
    const charges = (await capacityView(t.env.client, h.config)).tokens.charges;
    assert.deepEqual(
      charges.map((c) => c.tokens),
      [421_000, 421_000],
    );
    const lastCharge = Math.max(...charges.map((c) => c.at));
    const spec = resolveJobSpec(
      { prompt: 'late background job', kind: 'llm', workspace: 'none', lane: 'background' },
      h.config,
    );
    const handle = await startJob(t.env.client, h.config, spec);
    const second = await handle.result();
    const grantedAt = (await jobProgress(t.env.client, spec.jobId)).leaseGrantedAt ?? 0;
    assert.ok(second.leaseWaitMs >= 2000, `background waited ${second.leaseWaitMs}ms`);
    assert.ok(
      grantedAt >= lastCharge + 6000,
      `granted ${grantedAt - lastCharge}ms after the last charge: only once it left the 6 s window`,
    );
    assert.equal(second.status, 'succeeded');
  } finally {
    await h.stop();
  }
});
