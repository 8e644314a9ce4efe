// The merge queue's activities: git steps on the host that holds the branch, and joining a queue.
import { mkdir, rm } from 'node:fs/promises';
import type { Activities } from '../protocol/activities.js';
import { landQueueInput } from '../protocol/land.js';
import { landRequestSignal } from '../protocol/signals.js';
import { WORKFLOW } from '../protocol/workflow-types.js';
import { advanceTarget } from '../workspace/land-advance.js';
import { sandboxMode } from '../sandbox/detect.js';
import { prepareLanding, removeScratch } from '../workspace/land-prepare.js';
import { setUpWorktree } from '../workspace/setup.js';
import type { ActivityDeps } from './deps.js';
import { setupProcess } from './supervised-command.js';

type LandActivities = Pick<Activities, 'prepareLanding' | 'advanceTarget' | 'removeScratch' | 'enqueueLanding'>;

export function landActivities(deps: ActivityDeps): LandActivities {
  const { config, client } = deps;
  return {
    prepareLanding: async (input) => {
      const prep = await prepareLanding(input, config);
      if (prep.kind !== 'ready') return prep;
      // The check at landing needs what the job's check had: the repo's setup (e.g. `npm ci`), in the scratch too —
      // on the job's content (an agent's `postinstall`): sandboxed as the landing's check is, in the host's mode.
      const jobDir = `${prep.scratch}.setup`;
      await mkdir(jobDir, { recursive: true });
      const worktree = { repo: input.repo, path: prep.scratch, jobDir, fresh: true };
      try {
        await setUpWorktree(worktree, config, setupProcess(sandboxMode(config), config));
      } catch (err) {
        // A failed setup ends the landing: its scratch goes (its log stays beside it), without running git in a dir
        // the setup could rewrite; the next prepare's `worktree add --force` takes over the stale registration.
        await rm(prep.scratch, { recursive: true, force: true });
        throw err;
      }
      return prep;
    },
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
