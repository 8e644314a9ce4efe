// The merge queue's activities: git steps on the host that holds the branch, and joining a queue.
import type { Activities } from '../protocol/activities.js';
import { landQueueInput } from '../protocol/land.js';
import { landRequestSignal } from '../protocol/signals.js';
import { WORKFLOW } from '../protocol/workflow-types.js';
import { advanceTarget } from '../workspace/land-advance.js';
import { prepareLanding, removeScratch } from '../workspace/land-prepare.js';
import type { ActivityDeps } from './deps.js';

type LandActivities = Pick<Activities, 'prepareLanding' | 'advanceTarget' | 'removeScratch' | 'enqueueLanding'>;

export function landActivities(deps: ActivityDeps): LandActivities {
  const { config, client } = deps;
  return {
    prepareLanding: (input) => prepareLanding(input, config),
    advanceTarget: (input) => advanceTarget(input, config),
    removeScratch,
    // Signal-with-start: the queue starts on its first request and takes later ones in order.
    enqueueLanding: async ({ repo, target, request }) => {
      const queue = landQueueInput(repo, target, config.temporal.taskQueue, config);
      await client.workflow.signalWithStart(WORKFLOW.land, {
        workflowId: queue.landId,
        taskQueue: config.temporal.taskQueue,
        args: [queue],
        signal: landRequestSignal,
        signalArgs: [request],
      });
      return queue.landId;
    },
  };
}
