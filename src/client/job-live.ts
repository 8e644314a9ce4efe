// A running job's agent, live: the heartbeat details of its runAgent activity (attempt, turns, tool calls, tokens).
import type { Client } from '@temporalio/client';
import { ACTIVITY } from '../protocol/activities.js';
import { jobProgress } from './jobs.js';

export async function liveDetails(client: Client, jobId: string): Promise<unknown> {
  const described = await client.workflow.getHandle(jobId).describe();
  const agent = described.raw.pendingActivities?.find((a) => a.activityType?.name === ACTIVITY.runAgent);
  const [first] = agent?.heartbeatDetails?.payloads ?? [];
  return first ? client.options.loadedDataConverter.payloadConverter.fromPayload(first) : undefined;
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
