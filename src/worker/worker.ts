// A nightshift worker host: the shared queue (workflows, workspace preparation) plus its own host queue
// (every activity that touches a workspace it made), so a retry never lands where the job's files are not.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type State, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { hostRuntimeOf, type HostRuntime } from '../activities/deps.js';
import { workerLedger } from '../activities/ledger.js';
import type { Config } from '../config/schema.js';
import { announceSandbox } from '../sandbox/detect.js';
import { announceLimits } from '../sandbox/limits.js';
import { announceEgress, closeAllEgress } from '../sandbox/egress-run.js';
import { registerConfigSecrets } from '../config/secret-values.js';
import type { Activities } from '../protocol/activities.js';
import { workerIdentity } from '../protocol/ids.js';
import { startHostBeat } from './host-beat.js';
import { syncDigestSchedule } from './digest-schedule.js';
import type { WorkflowTypeName } from '../protocol/workflow-types.js';
import type * as bundle from '../workflows/index.js';

// Clients start workflows by the protocol's names: the bundle must export exactly those (else tsc fails here).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const bundleMatchesProtocol: Same<keyof typeof bundle, WorkflowTypeName> = true;
void bundleMatchesProtocol;

/** The workflow bundle entry (TypeScript source; the bundler compiles it). */
export function workflowsPath(): string {
  const ts = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL('../workflows/index.js', import.meta.url));
}

export interface WorkerDeps {
  config: Config;
  client: Client;
  connection: NativeConnection;
  overrides?: Partial<WorkerOptions>;
  /** Replace activities by name (tests script the agent this way); the rest stay real. */
  activities?: Partial<Activities>;
}

/** Both pollers of one host, run and stopped together. */
export interface HostWorker {
  host: HostRuntime;
  shared: Worker;
  pinned: Worker;
  run(): Promise<void>;
  shutdown(): void;
  getState(): State;
}

export async function createWorker(deps: WorkerDeps): Promise<HostWorker> {
  const { config, client, connection, overrides } = deps;
  registerConfigSecrets(config); // every secret of the config is masked in what this process stores and logs
  const mode = announceSandbox(config); // one warning when agents will run unconfined; an error when a configured bwrap cannot run
  await announceLimits(config); // what sandbox.limits enforces here; cgroups a crashed worker left behind removed
  announceEgress(config, mode); // agentNetwork host: a warning; proxy: socat must be there
  const host = hostRuntimeOf(config);
  const ledger = workerLedger(config);
  await syncDigestSchedule(client, config); // notify.digest: the daily digest's schedule, made, updated or deleted
  const common = {
    connection,
    namespace: config.temporal.namespace,
    // Names the host in `temporal task-queue describe` and in `nightshift workers`.
    identity: workerIdentity(host.hostId, process.pid),
    activities: { ...createActivities({ client, config, host, ledger }), ...deps.activities },
    // Let running agents end (and release their leases) when the worker stops.
    shutdownGraceTime: '10 seconds',
    // Heartbeats reach the server at least every 2 s, so a cancel reaches the agent within ~2 s.
    maxHeartbeatThrottleInterval: '2 seconds',
    // Agents wait for a host slot inside the activity (heartbeating), so task slots are never the limit.
    maxConcurrentActivityTaskExecutions: Math.max(50, config.capacity.maxSlots * 3),
  } satisfies Partial<WorkerOptions>;
  const shared = await Worker.create({
    ...common,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: workflowsPath(),
    ...overrides,
  });
  const { workflowsPath: _w, workflowBundle: _b, ...activityOverrides } = overrides ?? {};
  const pinned = await Worker.create({ ...common, taskQueue: host.hostQueue, ...activityOverrides });
  const shutdown = (): void => {
    for (const w of [shared, pinned]) if (w.getState() === 'RUNNING') w.shutdown();
  };
  return {
    host,
    shared,
    pinned,
    async run() {
      const stopBeat = startHostBeat(host, ledger);
      try {
        // One poller stopping (a fatal error) stops the other: a host is whole or gone.
        await Promise.all([shared.run().finally(shutdown), pinned.run().finally(shutdown)]);
      } finally {
        await stopBeat();
        await closeAllEgress(); // every run's proxy socket and connection, should a run outlive its activity
        await ledger.close();
      }
    },
    shutdown,
    getState: () => shared.getState(),
  };
}
