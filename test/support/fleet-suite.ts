// The fleet tests' harness: a restartable dev server, a scripted model, one shared ledger, and two worker hosts
// (own mount namespace, own tmpfs at the same data-dir path) per test on a fresh queue.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { resolveJobSpec } from '../../src/client/job-input.js';
import { capacityView, jobProgress, startJob } from '../../src/client/jobs.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { startDevServer, type DevServer } from '../../src/dev/dev-server.js';
import { startLedgerServer, type LedgerServer } from '../../src/dev/ledger-server.js';
import { startAnthropicStub, turns, type ScriptedServer } from '../../src/dev/scripted-model/anthropic.js';
import type { JobResult } from '../../src/protocol/result.js';
import { FAKE_KEY } from './claude.js';
import { fleetPaths, processesInNamespace, startHost, type FleetHost } from './fleet.js';
import { fleetPrompt, fleetScript, type Inject } from './fleet-model.js';
import { waitFor } from './procs.js';
import { makeRepo } from './repo.js';
import { freePort } from '../../src/dev/demo/demo-setup.js';

export const t = {} as {
  server: DevServer;
  client: Client;
  stub: ScriptedServer;
  ledger: LedgerServer;
  dir: string;
  port: number;
};

/** One dev server (restartable: SQLite), one scripted model and one shared ledger for a test file. */
export function useFleet(): void {
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
}

export interface Fleet {
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
export async function withFleet(
  inject: Inject,
  fn: (f: Fleet) => Promise<void>,
  /** More config every host shares (e.g. `sandbox.writable` for a marker a check leaves outside its workspace). */
  extra: Record<string, unknown> = {},
): Promise<void> {
  t.stub.setScript(fleetScript(inject));
  const taskQueue = `fleet-${process.pid}-${++fleets}`;
  const { dataDir } = fleetPaths();
  const shared = {
    backends: { claude: { baseUrl: t.stub.url, env: { HOME: join(dataDir, 'home'), ANTHROPIC_API_KEY: FAKE_KEY } } },
    jobs: { heartbeatSeconds: 2, rateLimitFallbackSeconds: 1 },
    worker: { hostLostSeconds: 5 },
    ledger: { url: t.ledger.url },
    ...extra,
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
export async function hostOf(f: Fleet, jobId: string): Promise<FleetHost> {
  let host: FleetHost | undefined;
  await waitFor(`${jobId} pinned`, async () => {
    const p = await jobProgress(t.client, jobId);
    host = f.hosts.find((h) => h.hostId === p.host);
    return host !== undefined;
  });
  return host as FleetHost;
}

/** Stops the dev server and starts it again on its port, with its database: a server restart under the fleet. */
export async function restartServer(): Promise<void> {
  await t.server.stop();
  t.server = await startDevServer(t.dir, t.port, await freePort());
}

export async function killHostAt(
  f: Fleet,
  jobId: string,
  step: string,
): Promise<{ victim: FleetHost; killedAt: number }> {
  await waitFor(`${jobId} at ${step}`, async () => (await jobProgress(t.client, jobId)).step === step, 60_000);
  const victim = await hostOf(f, jobId);
  victim.kill9();
  return { victim, killedAt: Date.now() };
}

/** The job moved off the victim to the survivor, and nothing of the victim is left running. */
export async function assertMoved(f: Fleet, r: JobResult, victim: FleetHost, step: string, killedAt: number) {
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
