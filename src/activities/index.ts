// The activities: thin Temporal wrappers over agents, workspaces and the ledger (the contract is in protocol).
import type { Activities } from '../protocol/activities.js';
import type { ActivityDeps } from './deps.js';
import { changedFiles } from '../workspace/changes.js';
import { commitBranch } from '../workspace/commit.js';
import { finishWorkspace } from '../workspace/finish.js';
import { prepareWorkspace } from '../workspace/prepare.js';
import { publishBranch } from '../workspace/publish.js';
import {
  closedWorkflowsWith,
  grantLeasesWith,
  releaseLeaseWith,
  requestLeaseWith,
  runningLeasesWith,
} from './lease.js';
import { liveHostsWith } from './hosts.js';
import { landActivities } from './land.js';
import { ledgerActivities } from './ledger.js';
import { notifyActivities } from './notify.js';
import { parseVerdict, prepareReview } from './review.js';
import { runAgentWith } from './run-agent.js';
import { runCheckWith } from './run-check.js';
import { setupProcess } from './supervised-command.js';
import { withIoFailures } from './io-failure.js';
import { jobSandbox } from '../sandbox/detect.js';

/** Activities close over their dependencies (client, config); workflows proxy the protocol's interface. */
export function createActivities(deps: ActivityDeps): Activities {
  // A job's I/O trouble (a missing dir, a full disk) is its failure with a class, never the worker's crash.
  return withIoFailures({
    requestLease: requestLeaseWith(deps),
    releaseLease: releaseLeaseWith(deps),
    grantLeases: grantLeasesWith(deps),
    closedWorkflows: closedWorkflowsWith(deps),
    runningLeases: runningLeasesWith(deps),
    liveHosts: liveHostsWith(deps),
    // The workspace names the host that made it: every later activity of the job goes to that host's queue.
    prepareWorkspace: async (spec) => ({
      ...(await prepareWorkspace(spec, deps.config, setupProcess(jobSandbox(spec, deps.config), deps.config))),
      host: deps.host.hostId,
      hostQueue: deps.host.hostQueue,
      sandbox: jobSandbox(spec, deps.config), // what the job's agent and check will run in, on this host
    }),
    runAgent: runAgentWith(deps),
    runCheck: runCheckWith(deps),
    changedFiles,
    prepareReview,
    parseVerdict,
    commitBranch: (input) => commitBranch(input, deps.config),
    publishBranch,
    finishWorkspace: (input) => finishWorkspace(input, deps.config),
    ...ledgerActivities(deps),
    ...landActivities(deps),
    ...notifyActivities(deps),
  });
}
