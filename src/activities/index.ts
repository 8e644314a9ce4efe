import type { Client } from '@temporalio/client';
import type { Config } from '../config/schema.js';
import { changedFiles, prepareWorkspace } from '../workspace/prepare.js';
import { runCheck } from '../workspace/check.js';
import { parseVerdict, prepareReview } from './review.js';
import { closedWorkflowsWith, requestLeaseWith } from './lease.js';
import { runAgentWith } from './run-agent.js';
import { commitBranch } from '../workspace/commit.js';
import { recordJobWith } from './ledger.js';

export interface ActivityDeps {
  client: Client;
  config: Config;
}

/** Activities close over their dependencies (client, config); workflows import only the type. */
export function createActivities(deps: ActivityDeps) {
  return {
    requestLease: requestLeaseWith(deps),
    closedWorkflows: closedWorkflowsWith(deps),
    prepareWorkspace: (spec: Parameters<typeof prepareWorkspace>[0]) => prepareWorkspace(spec, deps.config),
    runAgent: runAgentWith(deps),
    runCheck,
    changedFiles,
    prepareReview,
    parseVerdict,
    commitBranch,
    recordJob: recordJobWith(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
