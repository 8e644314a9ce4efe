// nightshift on the embedded dev server (SQLite, as `nightshift dev`; or in memory): the `command` backend runs
// the same agent command unconfined (the other systems have no sandbox), 20 slots with 1 for the operator lane.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { resolveJobSpec } from '../../src/client/job-input.js';
import { capacityView, startJob } from '../../src/client/jobs.js';
import { requireTemporalCli } from '../../src/dev/temporal-cli.js';
import type { Lane } from '../../src/protocol/job.js';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/protocol/search-attributes.js';
import { startWorker, type Harness } from '../../test/support/temporal.js';
import { AGENT, type Spawned } from './pool.js';

export async function startEngine(memory: boolean): Promise<TestWorkflowEnvironment> {
  Runtime.install({ logger: new DefaultLogger('WARN') }); // the SDK's per-worker INFO lines are not the bench's output
  const dbFilename = memory ? undefined : join(mkdtempSync(join(tmpdir(), 'nightshift-bench-')), 'temporal.db');
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireTemporalCli() },
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      extraArgs: ['--log-level', 'error', ...(dbFilename ? ['--sqlite-pragma', 'journal_mode=WAL'] : [])],
      ...(dbFilename ? { dbFilename } : {}),
    },
  });
}

/** A worker whose jobs run the bench's agent, with no token estimate: only slots limit it. */
export async function nightshiftWorker(
  env: TestWorkflowEnvironment,
  slots: number,
  taskQueue?: string, // another host on this queue: its own data dir, the same capacity singleton
): Promise<{ h: Harness }> {
  const reuse = taskQueue
    ? {
        taskQueue,
        dataDir: mkdtempSync(join(tmpdir(), 'nightshift-bench-host-')),
        connection: await NativeConnection.connect({ address: env.address }),
      }
    : undefined;
  const h: Harness = await startWorker(
    env,
    {
      backends: { command: { command: AGENT[0], extraArgs: AGENT.slice(1) } },
      estimates: { noop: 0 },
      capacity: { maxSlots: slots, reservedOperatorSlots: 1, backpressureQueueDepth: 100_000 },
      worker: { maxAgents: slots },
      sandbox: { mode: 'off' },
    },
    reuse,
  );
  const stop = h.stop;
  h.stop = async () => {
    await stop();
    await reuse?.connection.close();
  };
  return { h };
}

/** Submits a job and waits for its result, as a client does: submit → spawn and exit → result. */
export async function submitJob(
  env: TestWorkflowEnvironment,
  h: Harness,
  seconds: number,
  lane: Lane = 'background',
): Promise<Spawned> {
  const spec = resolveJobSpec(
    // One attempt, as BullMQ's default: the held agents (c) kills must not run again.
    { prompt: String(seconds), kind: 'noop', backend: 'command', workspace: 'none', lane, maxAttempts: 1 },
    h.config,
  );
  const submittedAt = Date.now();
  const result = await (await startJob(env.client, h.config, spec)).result();
  const doneAt = Date.now();
  const t = result.timeline;
  return { toSpawn: (t.agentSpawnedAt ?? NaN) - submittedAt, toDone: doneAt - (t.agentExitedAt ?? NaN) };
}

/** The bench's side of nightshift: one worker, submit and wait. */
export async function nightshift(env: TestWorkflowEnvironment, slots: number) {
  const { h } = await nightshiftWorker(env, slots);
  return {
    submit: (seconds: number, lane: Lane = 'background'): Promise<Spawned> => submitJob(env, h, seconds, lane),
    /** The capacity singleton's queue: jobs that asked for a lease and wait for one. */
    queued: async (): Promise<number> => (await capacityView(env.client, h.config)).queue.length,
    stop: () => h.stop(),
  };
}
