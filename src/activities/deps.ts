// What every activity closes over: the worker's client, config and host (no globals).
import type { Client } from '@temporalio/client';
import { AgentSlots } from '../agents/process/agent-slots.js';
import type { Config } from '../config/schema.js';
import type { LedgerHandle } from '../ledger/handle.js';
import { hostQueue } from '../protocol/ids.js';

/** This worker process as a fleet member: its host id, the queue only it polls, its agent slots. */
export interface HostRuntime {
  hostId: string;
  hostQueue: string;
  slots: AgentSlots;
}

export interface ActivityDeps {
  client: Client;
  config: Config;
  host: HostRuntime;
  /** The worker's one ledger pool, shared with its host heartbeat. */
  ledger: LedgerHandle;
}

export function hostRuntimeOf(config: Config): HostRuntime {
  const { hostId, maxAgents } = config.worker;
  return { hostId, hostQueue: hostQueue(config.temporal.taskQueue, hostId), slots: new AgentSlots(maxAgents) };
}
