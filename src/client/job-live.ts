// A running job's agent, live: the heartbeat details of its runAgent activity (attempt, turns, tool calls, tokens);
// for a job waiting for its lease that a spent budget holds, that hold (from the capacity view).
import type { Client } from '@temporalio/client';
import { ACTIVITY } from '../protocol/activities.js';
import type { BudgetView } from '../protocol/capacity.js';
import { capacityWorkflowId } from '../protocol/ids.js';
import { capacityQuery } from '../protocol/signals.js';
import { jobProgress } from './jobs.js';

/** Why a queued job waits: the spent budgets (all of them; the job's own backend's and `all` hold it). */
export interface BudgetHold {
  heldBy: 'budget';
  budgets: BudgetView[];
}

export async function liveDetails(client: Client, jobId: string): Promise<unknown> {
  const described = await client.workflow.getHandle(jobId).describe();
  const pending = described.raw.pendingActivities ?? [];
  const agent = pending.find((a) => a.activityType?.name === ACTIVITY.runAgent);
  const [first] = agent?.heartbeatDetails?.payloads ?? [];
  if (first) return client.options.loadedDataConverter.payloadConverter.fromPayload(first);
  // No activity at all: it may be waiting for its lease (the singleton is on the job's own queue).
  if (described.status.name !== 'RUNNING' || pending.length > 0) return undefined;
  return budgetHold(client, described.taskQueue, jobId);
}

async function budgetHold(client: Client, taskQueue: string, jobId: string): Promise<BudgetHold | undefined> {
  try {
    const view = await client.workflow.getHandle(capacityWorkflowId(taskQueue)).query(capacityQuery);
    if (view.queue.find((q) => q.jobId === jobId)?.heldBy !== 'budget') return undefined;
    return { heldBy: 'budget', budgets: (view.budgets ?? []).filter((b) => b.spent) };
  } catch {
    return undefined; // no singleton (yet), or it did not answer: no reason to give
  }
}

/** Lease holders by the host that holds their workspace ('-' while a job is still preparing it). */
export async function runningPerHost(client: Client, jobIds: string[]): Promise<Record<string, number>> {
  const hosts = await Promise.all(
    jobIds.map((id) =>
      jobProgress(client, id).then(
        (p) => p.host ?? '-',
        () => '?',
      ),
    ),
  );
  const out: Record<string, number> = {};
  for (const h of hosts) out[h] = (out[h] ?? 0) + 1;
  return out;
}
