// The fleet fault matrix: two worker hosts whose data dirs cannot see each other (own mount namespace, own tmpfs at
// the same path), real claude CLIs, a real Temporal dev server — agent fails once, host killed mid-agent, host
// killed mid-check, server restarted mid-job: 0 jobs lost, 0 workers crashed, 0 leases leaked.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { execa } from 'execa';
import { resolveJobSpec } from '../src/client/job-input.js';
import { capacityView, jobProgress, startJob } from '../src/client/jobs.js';
import { closeSession, openSession, submitToSession, waitForSessionJob } from '../src/client/sessions.js';
import { parseConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { startDevServer, type DevServer } from '../src/dev/dev-server.js';
import { startLedgerServer, type LedgerServer } from '../src/dev/ledger-server.js';
import { startAnthropicStub, turns, type ScriptedServer } from '../src/dev/scripted-model/anthropic.js';
import type { JobResult } from '../src/protocol/result.js';
import { FAKE_KEY } from './support/claude.js';
import { fleetPaths, processesInNamespace, startHost, type FleetHost } from './support/fleet.js';
import { fleetPrompt, fleetScript, usageLimit, type Inject } from './support/fleet-model.js';
import { jobFailure, previousAttemptFailure } from './support/outcomes.js';
import { makeOrigin } from './support/git-origin.js';
import { waitFor } from './support/procs.js';
import { makeRepo } from './support/repo.js';

const t = {} as {
  server: DevServer;
  client: Client;
  stub: ScriptedServer;
  ledger: LedgerServer;
  dir: string;
  port: number;
};

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

before(async () => {
  t.dir = mkdtempSync(join(tmpdir(), 'nightshift-fleet-server-'));
  t.port = await freePort();
  t.server = await startDevServer(t.dir, t.port, await freePort());
  t.client = new Client({ connection: await Connection.connect({ address: t.server.address }) });
  t.stub = await startAnthropicStub(turns([]));
  t.ledger = await startLedgerServer({ port: 0 }); // the fleet's one shared ledger
});

after(async () => {
  await t.stub?.close();
  await t.ledger?.stop();
  await t.client?.connection.close();
  await t.server?.stop();
});

interface Fleet {
  hosts: FleetHost[];
  config: Config;
  repo: string;
  dataDir: string;
  /** Submits a coding job tagged `tag`; `repoPath` overrides the repo after validation (a path only hosts see). */
  submit(tag: string, extra?: Record<string, unknown>, repoPath?: string): Promise<string>;
  result(jobId: string): Promise<JobResult>;
}

let fleets = 0;

/** Two hosts on a fresh queue; afterwards: every surviving host still runs, and no lease is held. */
async function withFleet(inject: Inject, fn: (f: Fleet) => Promise<void>): Promise<void> {
  t.stub.setScript(fleetScript(inject));
  const taskQueue = `fleet-${process.pid}-${++fleets}`;
  const { dataDir } = fleetPaths();
  const shared = {
    backends: { claude: { baseUrl: t.stub.url, env: { HOME: join(dataDir, 'home'), ANTHROPIC_API_KEY: FAKE_KEY } } },
    jobs: { heartbeatSeconds: 2, rateLimitFallbackSeconds: 1 },
    worker: { hostLostSeconds: 5 },
    ledger: { url: t.ledger.url },
  };
  const opts = { client: t.client, address: t.server.address, taskQueue, dataDir, config: shared };
  const hosts = await Promise.all(['host-a', 'host-b'].map((h) => startHost(h, opts)));
  const config = parseConfig({
    ...shared,
    dataDir: mkdtempSync(join(tmpdir(), 'nightshift-client-')),
    temporal: { taskQueue },
  });
  const repo = await makeRepo();
  const fleet: Fleet = {
    hosts,
    config,
    repo,
    dataDir,
    async submit(tag, extra = {}, repoPath) {
      const spec = resolveJobSpec({ prompt: fleetPrompt(tag), repo, kind: 'coding-agent', ...extra }, config);
      if (repoPath) spec.repoPath = repoPath;
      await startJob(t.client, config, spec);
      return spec.jobId;
    },
    result: (jobId) => t.client.workflow.getHandle(jobId).result() as Promise<JobResult>,
  };
  try {
    await fn(fleet);
    for (const h of hosts.filter((x) => x.alive())) assert.ok(h.alive(), `${h.hostId} still runs`);
    await waitFor('every lease released', async () => (await capacityView(t.client, config)).holders.length === 0);
  } finally {
    await Promise.all(hosts.map((h) => h.stop()));
  }
}

/** The host whose worker runs this job's workspace now (its progress says, once pinned). */
async function hostOf(f: Fleet, jobId: string): Promise<FleetHost> {
  let host: FleetHost | undefined;
  await waitFor(`${jobId} pinned`, async () => {
    const p = await jobProgress(t.client, jobId);
    host = f.hosts.find((h) => h.hostId === p.host);
    return host !== undefined;
  });
  return host as FleetHost;
}

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
async function killHostAt(f: Fleet, jobId: string, step: string): Promise<{ victim: FleetHost; killedAt: number }> {
  await waitFor(`${jobId} at ${step}`, async () => (await jobProgress(t.client, jobId)).step === step, 60_000);
  const victim = await hostOf(f, jobId);
  victim.kill9();
  return { victim, killedAt: Date.now() };
}

/** The job moved off the victim to the survivor, and nothing of the victim is left running. */
async function assertMoved(f: Fleet, r: JobResult, victim: FleetHost, step: string, killedAt: number) {
  const survivor = f.hosts.find((h) => h !== victim);
  assert.equal(r.status, 'succeeded', r.failureMessage);
  assert.equal(r.host, survivor?.hostId);
  assert.equal(r.moves?.length, 1);
  assert.equal(r.moves?.[0]?.from, victim.hostId);
  assert.equal(r.moves?.[0]?.to, survivor?.hostId);
  assert.equal(r.moves?.[0]?.step, step);
  assert.ok(survivor?.alive(), 'the surviving worker still runs');
  await waitFor(`no process of ${victim.hostId} left`, () => processesInNamespace(victim.mntNs).length === 0, 20_000);
  // `history` says where the job moved and why: the timeout on the lost host's queue, then the new workspace.
  const history = await (survivor as FleetHost).cli(['history', r.jobId]);
  assert.match(history, new RegExp(`on host ${victim.hostId}: .*host lost`));
  assert.match(history, new RegExp(`workspace .* on host ${survivor?.hostId ?? '?'}`));
  process.stderr.write(
    `# ${step}: recovered ${((r.timeline.finishedAt - killedAt) / 1000).toFixed(1)} s after kill -9\n`,
  );
}

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
      await t.server.stop();
      t.server = await startDevServer(t.dir, t.port, await freePort());
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

test("a session's host is lost between jobs: the next job runs on the other host in a fresh agent session, and says so", async () => {
  await withFleet(
    () => undefined,
    async (f) => {
      const first = await submitToSession(t.client, f.config, 'fleet', {
        prompt: fleetPrompt('fleet-task-session-1'),
        repo: f.repo,
      });
      const r1 = await waitForSessionJob(t.client, f.config, 'fleet', first.jobId, 200);
      assert.equal(r1.result?.status, 'succeeded', r1.result?.failureMessage);
      const victim = f.hosts.find((h) => h.hostId === r1.result?.host);
      assert.ok(victim && r1.result?.sessionId, 'job 1 ran on a host, in an agent session');
      victim.kill9();
      const second = await submitToSession(t.client, f.config, 'fleet', {
        prompt: fleetPrompt('fleet-task-session-2'),
      });
      const r2 = (await waitForSessionJob(t.client, f.config, 'fleet', second.jobId, 200)).result;
      assert.equal(r2?.status, 'succeeded', r2?.failureMessage);
      assert.notEqual(r2?.host, victim.hostId);
      assert.equal(r2?.freshSession, true);
      assert.match(r2?.freshSessionReason ?? '', new RegExp(`stays on host ${victim.hostId}`));
      assert.notEqual(r2?.sessionId, r1.result?.sessionId, 'a new agent session');
      assert.equal((await openSession(t.client, f.config, 'fleet'))?.host, r2?.host, 'the session now lives there');
      await closeSession(t.client, f.config, 'fleet');
    },
  );
});

test('repos across the fleet: a URL repo is pushed to its origin; a path on one host goes there; a path on none fails', async () => {
  await withFleet(
    () => undefined,
    async (f) => {
      // A URL: the host clones its own mirror, and the job's branch with its commit arrives in the origin.
      const origin = await makeOrigin();
      const urlJob = await f.submit('fleet-task-url', { repo: origin.url });
      const r = await f.result(urlJob);
      assert.equal(r.status, 'succeeded', r.failureMessage);
      assert.equal(r.pushed?.branch, `nightshift/${urlJob}`);
      const inOrigin = await execa('git', ['--git-dir', origin.bare, 'rev-parse', `refs/heads/nightshift/${urlJob}`]);
      assert.equal(inOrigin.stdout.trim(), r.pushed?.commit);
      const file = await execa('git', [
        '--git-dir',
        origin.bare,
        'show',
        `${r.pushed?.commit ?? ''}:fleet-task-url.txt`,
      ]);
      assert.equal(file.stdout.trim(), 'fleet-task-url');
      // A local path only host-b has (inside its private data dir): whichever host takes the job, host-b runs it.
      const [hostA, hostB] = f.hosts as [FleetHost, FleetHost];
      const onlyB = join(f.dataDir, 'repo-only-on-b');
      await execa('nsenter', [`--mount=/proc/${hostB.pid}/ns/mnt`, '--', 'git', 'clone', '-q', f.repo, onlyB]);
      const ids = await Promise.all([1, 2].map((i) => f.submit(`fleet-task-only-b-${i}`, {}, onlyB)));
      for (const id of ids) {
        const rb = await f.result(id);
        assert.equal(rb.status, 'succeeded', rb.failureMessage);
        assert.equal(rb.host, hostB.hostId, `${id} ran where its repo is`);
      }
      assert.ok(!existsSync(hostA.view(onlyB)), 'host-a never had the repo');
      // A path no host has: the job fails at once, naming the path and the hosts tried.
      const nowhere = await f.submit('fleet-task-nowhere', {}, join(f.dataDir, 'no-such-repo'));
      const failure = await jobFailure(t.client, nowhere);
      assert.equal(failure.type, 'WorkspaceFailed');
      assert.match(failure.message, /repo path does not exist on any host \(tried: .*host-a.*\).*no-such-repo/);
      assert.match(failure.message, /host-b/);
    },
  );
});
