// A nightshift worker: the job and capacity workflows plus the activities that spawn agent CLIs.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import type { Config } from '../config/schema.js';
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
}

export async function createWorker({ config, client, connection, overrides }: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: workflowsPath(),
    activities: createActivities({ client, config }),
    // Let running agents end (and release their leases) when the worker stops.
    shutdownGraceTime: '10 seconds',
    // Heartbeats reach the server at least every 2 s, so a cancel reaches the agent within ~2 s.
    maxHeartbeatThrottleInterval: '2 seconds',
    maxConcurrentActivityTaskExecutions: Math.max(50, config.capacity.maxSlots * 3),
    ...overrides,
  });
}
