// The activities: thin Temporal wrappers over agents, workspaces and the ledger (the contract is in protocol).
import type { Activities } from '../protocol/activities.js';
import type { ActivityDeps } from './deps.js';
import { changedFiles } from '../workspace/changes.js';
import { runCheck } from '../workspace/check.js';
import { commitBranch } from '../workspace/commit.js';
import { prepareWorkspace } from '../workspace/prepare.js';
import { closedWorkflowsWith, requestLeaseWith, runningLeasesWith } from './lease.js';
import { recordJobWith } from './ledger.js';
import { parseVerdict, prepareReview } from './review.js';
import { runAgentWith } from './run-agent.js';

/** Activities close over their dependencies (client, config); workflows proxy the protocol's interface. */
export function createActivities(deps: ActivityDeps): Activities {
  return {
    requestLease: requestLeaseWith(deps),
    closedWorkflows: closedWorkflowsWith(deps),
    runningLeases: runningLeasesWith(deps),
    prepareWorkspace: (spec) => prepareWorkspace(spec, deps.config),
    runAgent: runAgentWith(deps),
    runCheck,
    changedFiles,
    prepareReview,
    parseVerdict,
    commitBranch,
    recordJob: recordJobWith(deps),
  };
}
