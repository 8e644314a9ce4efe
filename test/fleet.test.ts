// The fleet fault matrix: two worker hosts whose data dirs cannot see each other, real claude CLIs, a real Temporal
// dev server — agent fails once, host killed mid-agent, host killed mid-check, server restarted mid-job:
// 0 jobs lost, 0 workers crashed, 0 leases leaked (withFleet checks the last two after every test).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { jobProgress } from '../src/client/jobs.js';
import { usageLimit } from './support/fleet-model.js';
import { assertMoved, killHostAt, restartServer, t, useFleet, withFleet } from './support/fleet-suite.js';
import { previousAttemptFailure } from './support/outcomes.js';
import { waitFor } from './support/procs.js';

useFleet();

test('agent fails once on each job: every job succeeds, every attempt on the host that prepared its workspace', async () => {
  await withFleet(
    (_tag, n) => (n === 1 ? usageLimit(Date.now() + 1500) : undefined),
    async (f) => {
      const tags = Array.from({ length: 6 }, (_, i) => `fleet-task-once-${i}`);
      const ids = await Promise.all(tags.map((tag) => f.submit(tag)));
      const results = await Promise.all(ids.map((id) => f.result(id)));
      for (const [i, r] of results.entries()) {
        const id = ids[i] ?? '';
        assert.equal(r.status, 'succeeded', `${id}: ${r.failureMessage ?? ''}`);
        assert.equal(r.attempts, 2, `${id} took a second attempt`);
        assert.equal(await previousAttemptFailure(t.client, id, 2), 'RateLimited');
        assert.equal(r.moves, undefined, `${id} never moved`);
        const host = f.hosts.find((h) => h.hostId === r.host);
        const other = f.hosts.find((h) => h.hostId !== r.host);
        assert.ok(host && other, `${id} ran on a fleet host (${r.host ?? 'none'})`);
        // Both attempts wrote their raw output on the preparing host; the other host never saw the job.
        const jobDir = join(r.workspace ?? '/nowhere', '..', '..', 'jobs', id);
        for (const attempt of [1, 2])
          assert.ok(existsSync(host.view(join(jobDir, `agent-attempt-${attempt}.jsonl`))), `${id} attempt ${attempt}`);
        assert.ok(!existsSync(other.view(jobDir)), `${other.hostId} never saw ${id}`);
      }
      const perHost = f.hosts.map((h) => `${h.hostId}: ${results.filter((r) => r.host === h.hostId).length}`);
      process.stderr.write(`# jobs per host: ${perHost.join(', ')}\n`);
      // One ledger: `stats` on either host counts every job of both, per host as they ran.
      for (const h of f.hosts) {
        const stats = JSON.parse(await h.cli(['stats', '--by', 'host', '--json'])) as {
          rows: { group: string; jobs: number }[];
          total: { jobs: number; succeeded: number };
        };
        assert.deepEqual(stats.total.jobs, ids.length, `stats on ${h.hostId}`);
        for (const g of f.hosts) {
          const ran = results.filter((r) => r.host === g.hostId).length;
          assert.equal(stats.rows.find((r) => r.group === g.hostId)?.jobs ?? 0, ran, `${g.hostId}'s jobs`);
        }
      }
      const seen = JSON.parse(await f.hosts[0]!.cli(['workers', '--json'])) as {
        hosts: { hostId: string; state: string; maxAgents?: number }[];
      };
      assert.deepEqual(
        seen.hosts.map((h) => [h.hostId, h.state, typeof h.maxAgents]),
        f.hosts.map((h) => [h.hostId, 'up', 'number']),
      );
    },
  );
});

/** Kills the host running `jobId` once its progress reaches `step`; returns the victim and when it died. */
test('kill -9 the host while its agent runs: the job finishes on the other host, and says it moved', async () => {
  // The first run of the agent hangs on the model, so the host is killed mid-agent.
  await withFleet(
    (_tag, n) => (n === 1 ? { kind: 'hang' } : undefined),
    async (f) => {
      const id = await f.submit('fleet-task-kill-agent');
      await waitFor(
        'the agent waiting on the model',
        () => t.stub.requests.some((q) => JSON.stringify(q.body.messages).includes('fleet-task-kill-agent')),
        60_000,
      );
      const { victim, killedAt } = await killHostAt(f, id, 'running-agent');
      await assertMoved(f, await f.result(id), victim, 'running-agent', killedAt);
    },
  );
});

test('kill -9 the host while its check runs: the job runs again on the other host and passes', async () => {
  const marker = join(mkdtempSync(join(tmpdir(), 'nightshift-check-')), 'first-run');
  // The first check (on whichever host) sleeps; the rerun finds the marker and passes at once.
  const check = ['sh', '-c', `if mkdir ${marker} 2>/dev/null; then sleep 300; fi`];
  await withFleet(
    () => undefined,
    async (f) => {
      const id = await f.submit('fleet-task-kill-check', { check });
      await waitFor('the first check started', () => existsSync(marker), 60_000);
      const { victim, killedAt } = await killHostAt(f, id, 'running-check');
      await assertMoved(f, await f.result(id), victim, 'running-check', killedAt);
    },
    { sandbox: { writable: [dirname(marker)] } }, // the marker is outside the workspace, seen by both hosts
  );
});

test('the Temporal server restarts mid-job: every job of both hosts finishes', async () => {
  // Each job's first model call takes a while, so the restart lands while agents run.
  await withFleet(
    (_tag, n) => (n === 1 ? { delayMs: 8000 } : undefined),
    async (f) => {
      const ids = await Promise.all([0, 1, 2, 3].map((i) => f.submit(`fleet-task-restart-${i}`)));
      await waitFor(
        'agents running',
        async () => {
          const steps = await Promise.all(ids.map(async (id) => (await jobProgress(t.client, id)).step));
          return steps.every((s) => s === 'running-agent');
        },
        60_000,
      );
      const t0 = Date.now();
      await restartServer();
      const results = await Promise.all(ids.map((id) => f.result(id)));
      for (const r of results) assert.equal(r.status, 'succeeded', `${r.jobId}: ${r.failureMessage ?? ''}`);
      assert.ok(
        f.hosts.every((h) => h.alive()),
        'both workers survived the restart',
      );
      const last = Math.max(...results.map((r) => r.timeline.finishedAt));
      process.stderr.write(
        `# server restart: all ${ids.length} jobs done ${((last - t0) / 1000).toFixed(1)} s after it\n`,
      );
    },
  );
});
