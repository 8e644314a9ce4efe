// The merge queue's activities: git steps and the check on the host that holds the job's branch, the ledger's copy.
import { isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../protocol/activities.js';
import { decodeFailure, FailureClass, NON_RETRYABLE } from '../../protocol/failures.js';
import { hostQueue } from '../../protocol/ids.js';
import type { LandEntry, LandQueueInput, LandRequest } from '../../protocol/land.js';

const shared = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumAttempts: 5 },
});

/** Git steps and the check go to the host whose repo holds the job's branch. */
export function hostActs(input: LandQueueInput, req: LandRequest) {
  const pin = req.host
    ? {
        taskQueue: hostQueue(workflowInfo().taskQueue, req.host),
        scheduleToStartTimeout: `${input.hostLostSeconds} seconds`,
      }
    : {};
  const retry = { maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE };
  // Long enough for a repo's setup (`repos[].setupTimeoutSeconds`, 15 min by default) in the scratch worktree.
  const git = proxyActivities<Activities>({ ...pin, startToCloseTimeout: '30 minutes', retry });
  const check = proxyActivities<Activities>({
    ...pin,
    startToCloseTimeout: `${req.timeoutSeconds + 60} seconds`,
    heartbeatTimeout: `${Math.max(req.heartbeatSeconds * 3, 5)} seconds`,
    retry,
  });
  return { git, check };
}

export type LandActs = ReturnType<typeof hostActs>;

/** The job's check on the landed result; undefined when it could not run there (its scratch worktree is gone). */
export async function runLandingCheck(acts: LandActs, req: LandRequest, scratch: string) {
  const command = req.check ?? [];
  const jobDir = scratch.slice(0, scratch.lastIndexOf('/'));
  try {
    return await acts.check.runCheck({ command, cwd: scratch, jobDir, timeoutSeconds: req.timeoutSeconds });
  } catch (err) {
    if (isCancellation(err) || decodeFailure(err).failureClass !== FailureClass.JobDirMissing) throw err;
    return undefined;
  }
}

/** The ledger's copy of the outcome (what `status` shows); a ledger away is logged by the activity, not fatal. */
export async function record(input: LandQueueInput, entry: LandEntry): Promise<void> {
  const detail = entry.files?.length
    ? `conflicts: ${entry.files.join(', ')}${entry.output ? `\n${entry.output}` : ''}`
    : entry.output;
  try {
    await shared.recordLanding({
      jobId: entry.jobId,
      status: entry.state,
      target: input.target,
      ...(entry.commit ? { commit: entry.commit } : {}),
      ...(detail ? { detail: detail.slice(0, 4000) } : {}),
    });
  } catch {
    // the queue goes on; `land --status` still shows the entry
  }
}
