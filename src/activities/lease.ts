import { WorkflowNotFoundError } from '@temporalio/client';
import { capacitySettings } from '../config/capacity-settings.js';
import { capacityWorkflowId } from '../protocol/ids.js';
import type { LeaseRequestInput } from '../protocol/capacity.js';
import { requestLeaseSignal } from '../protocol/signals.js';
import type { ActivityDeps } from './deps.js';
import { WORKFLOW } from '../protocol/workflow-types.js';

/** A workflow cannot signal-with-start, so the job asks through this activity (starting the singleton if needed). */
export function requestLeaseWith({ client, config }: ActivityDeps) {
  return async (req: LeaseRequestInput): Promise<void> => {
    await client.workflow.signalWithStart(WORKFLOW.capacity, {
      workflowId: capacityWorkflowId(config.temporal.taskQueue),
      taskQueue: config.temporal.taskQueue,
      args: [{ settings: capacitySettings(config) }],
      signal: requestLeaseSignal,
      signalArgs: [req],
    });
  };
}

/** Which of these workflows are no longer running (crashed, terminated, timed out, finished or unknown). */
export function closedWorkflowsWith({ client }: ActivityDeps) {
  return async (ids: string[]): Promise<string[]> => {
    const closed: string[] = [];
    for (const id of ids) {
      try {
        const d = await client.workflow.getHandle(id).describe();
        if (d.status.name !== 'RUNNING') closed.push(id);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) closed.push(id);
        else throw err;
      }
    }
    return closed;
  };
}
