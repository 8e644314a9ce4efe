// Which worker hosts poll a queue now: Temporal's own poller list, read through the worker's client.
import type { Client } from '@temporalio/client';
import { hostOfIdentity } from '../protocol/ids.js';
import type { ActivityDeps } from './deps.js';

const ACTIVITY_QUEUE = 2; // temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY

export interface QueuePoller {
  host: string;
  identity: string;
  lastPollAt: number | undefined;
}

/** The activity pollers Temporal saw on `queue` lately (it keeps a poller listed for a few minutes). */
export async function queuePollers(client: Client, namespace: string, queue: string): Promise<QueuePoller[]> {
  const r = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: queue },
    taskQueueType: ACTIVITY_QUEUE,
  });
  return (r.pollers ?? []).map((p) => {
    const identity = p.identity ?? '';
    const seconds = p.lastAccessTime?.seconds;
    return {
      host: hostOfIdentity(identity),
      identity,
      lastPollAt: seconds !== undefined && seconds !== null ? Number(seconds) * 1000 : undefined,
    };
  });
}

export function liveHostsWith({ client, config }: ActivityDeps) {
  return async (): Promise<string[]> => {
    const pollers = await queuePollers(client, config.temporal.namespace, config.temporal.taskQueue);
    return [...new Set(pollers.map((p) => p.host))].sort();
  };
}
