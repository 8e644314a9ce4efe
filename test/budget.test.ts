// Budgets on the real engine: a real claude run's reported cost spends the budget; new background work is held (a
// running job is never touched), the operator lane passes, and the held job is granted once the window moves.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveJobSpec, type JobInput } from '../src/client/job-input.js';
import { capacityView, jobOutcome, jobProgress, startJob } from '../src/client/jobs.js';
import type { Script } from '../src/dev/scripted-model/anthropic.js';
import type { JobResult } from '../src/protocol/result.js';
import { claudeBackend } from './support/claude.js';
import { nightshift } from './support/cli.js';
import { waitFor } from './support/procs.js';
import { slowAgent } from './support/slow-agent.js';
import { useTemporalAndModel } from './support/suite.js';
import { startWorker, type Harness } from './support/temporal.js';

const t = useTemporalAndModel();
const WINDOW = 40; // seconds: long enough for the held-phase checks on two loaded cores, short enough to wait out

/** Each model turn reports 200k input tokens: claude's own total_cost_usd comes to about $0.82 per run. */
const EXPENSIVE: Script = (body) =>
  body.tools?.length
    ? { kind: 'message', inputTokens: 200_000, outputTokens: 1000, blocks: [{ type: 'text', text: 'done' }] }
    : { kind: 'message', blocks: [{ type: 'text', text: 'ok' }] };

/** The slow agent's log format; a "long…" prompt sleeps until the gate file appears (the test decides when). */
const GATED = [
  'echo "$(date +%s%3N) start $NIGHTSHIFT_PROMPT" >> "$AGENT_LOG"',
  'case "$NIGHTSHIFT_PROMPT" in long*) while [ ! -e "$GATE" ]; do sleep 0.2; done ;; esac',
  'echo "$(date +%s%3N) end $NIGHTSHIFT_PROMPT" >> "$AGENT_LOG"',
  'echo "done $NIGHTSHIFT_PROMPT"',
].join('\n');

/** Webhook bodies the worker posts (the `budget` event only). */
const posts: Record<string, unknown>[] = [];
const receiver = createServer((req, res) => {
  let text = '';
  req.on('data', (c: Buffer) => (text += c.toString()));
  req.on('end', () => {
    posts.push(JSON.parse(text) as Record<string, unknown>);
    res.writeHead(200).end();
  });
});
before(() => new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r)));
after(() => new Promise<void>((r) => receiver.close(() => r())));

async function submit(h: Harness, input: Partial<JobInput>): Promise<string> {
  const spec = resolveJobSpec({ kind: 'llm', backend: 'command', workspace: 'none', prompt: 'x', ...input }, h.config);
  await startJob(t.env.client, h.config, spec);
  return spec.jobId;
}

async function succeeded(jobId: string): Promise<JobResult> {
  const { result, error } = await jobOutcome(t.env.client, jobId);
  assert.equal(result?.status, 'succeeded', `${jobId}: ${error?.message ?? ''}`);
  return result!;
}

test(
  'a spent budget holds new background work, never running work; the operator passes; the window frees it',
  {
    timeout: 300_000,
  },
  async () => {
    t.stub.setScript(EXPENSIVE);
    const agent = slowAgent(0);
    const gate = join(dirname(agent.backend.env.AGENT_LOG), 'go');
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const h = await startWorker(t.env, {
      backends: {
        claude: claudeBackend(t.stub.url),
        command: { command: 'sh', extraArgs: ['-c', GATED], env: { ...agent.backend.env, GATE: gate } },
      },
      sandbox: agent.sandbox,
      // No reconcile timer while the test runs: only the budget's own wake can grant the held job.
      capacity: { maxSlots: 4, reservedOperatorSlots: 1, reconcileSeconds: 3600 },
      budgets: { limits: [{ usd: 0.5, per: WINDOW }] },
      notify: { webhooks: [{ url, events: ['budget'] }] },
    });
    const view = () => capacityView(t.env.client, h.config);
    try {
      const long = await submit(h, { prompt: 'long', lane: 'background' });
      await waitFor('the long job to start', () => agent.intervals().has('long'), 60_000);

      const spender = await succeeded(await submit(h, { prompt: 'spend', backend: 'claude', lane: 'background' }));
      assert.ok((spender.costUsd ?? 0) > 0.5, `claude reported $${spender.costUsd}`);
      await waitFor('the budget to be spent', async () => (await view()).budgets?.[0]?.spent === true);
      let v = await view();
      assert.ok(
        v.holders.some((x) => x.jobId === long),
        'the long job keeps its lease',
      );
      assert.equal(agent.intervals().get('long')?.end, undefined, 'and its agent keeps running');

      const held = await submit(h, { prompt: 'held', lane: 'background' });
      await waitFor('the next background job to be held', async () =>
        (await view()).queue.some((q) => q.jobId === held && q.heldBy === 'budget'),
      );
      const operator = await submit(h, { prompt: 'operator', lane: 'operator' });
      const [cap, status] = await Promise.all([
        nightshift(['capacity'], { address: t.env.address, harness: h }),
        nightshift(['status', held], { address: t.env.address, harness: h }),
      ]);
      assert.equal(cap.exitCode, 0, cap.stderr);
      assert.match(cap.stdout, new RegExp(`budget all/${WINDOW}s \\$0\\.\\d\\d of \\$0\\.50 \\(\\d+%\\) HELD`));
      assert.match(cap.stdout, new RegExp(`held by a spent budget: ${held}`));
      assert.equal(status.exitCode, 0, status.stderr);
      assert.match(status.stdout, new RegExp(`waiting\\s+for budget all/${WINDOW}s \\(\\$0\\.\\d\\d of \\$0\\.50\\)`));

      await succeeded(operator);
      v = await view();
      assert.equal(v.queue.find((q) => q.jobId === held)?.heldBy, 'budget', 'still held after the operator job');
      assert.equal((await jobProgress(t.env.client, held)).leaseGrantedAt, undefined);

      writeFileSync(gate, ''); // the long job may finish now: it ran through the whole spend
      const longResult = await succeeded(long);
      assert.equal(longResult.attempts, 1, 'never killed and retried');
      assert.ok(agent.intervals().get('long')!.start < spender.timeline.finishedAt, 'it started before the spend');

      const heldResult = await succeeded(held);
      const grantedAt = heldResult.timeline.leaseGrantedAt ?? 0;
      assert.ok(
        grantedAt >= spender.timeline.finishedAt + WINDOW * 1000,
        `granted ${grantedAt - spender.timeline.finishedAt} ms after the spend (window ${WINDOW} s)`,
      );
      assert.equal((await view()).budgets?.[0]?.spent, false);
      await waitFor('one budget notice', () => posts.length > 0);
      assert.equal(posts.length, 1, JSON.stringify(posts));
      assert.match(String(posts[0]?.['id']), new RegExp(`^budget:all:${WINDOW}s:\\d+$`));
      assert.deepEqual([posts[0]?.['event'], posts[0]?.['scope'], posts[0]?.['usd']], ['budget', 'all', 0.5]);
    } finally {
      writeFileSync(gate, '');
      await h.stop();
    }
  },
);

test('a bad budget in the config is refused (exit 2) naming the field and the value', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'nightshift-cfg-'));
  const budgets = {
    limits: [
      { usd: 5, per: 'week' },
      { backend: 'claude', usd: -1, per: 'day' },
    ],
  };
  writeFileSync(join(cwd, 'nightshift.config.json'), JSON.stringify({ budgets }));
  const r = await nightshift(['capacity'], { address: t.env.address, cwd });
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /\(got "week"\)\s+→ at budgets\.limits\.0\.per/);
  assert.match(r.stderr, /\(got -1\)\s+→ at budgets\.limits\.1\.usd/);
});
