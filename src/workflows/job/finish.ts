// The end of a job's worktree, whatever the job's outcome: its work committed on its branch, the directory removed.
import { CancellationScope, isCancellation, log } from '@temporalio/workflow';
import { decodeFailure, FailureClass } from '../../protocol/failures.js';
import { landRequestOf } from '../../protocol/land.js';
import type { JobResult } from '../../protocol/result.js';
import { jobActivities, type JobActivities } from './activities.js';
import type { JobRun } from './work.js';

/**
 * Commits on the host that holds the worktree (not when that host is lost: the work went with it) and puts the
 * commit, the push and the removal into the result. A commit that cannot be made is reported, never the job's fate.
 */
export async function finishWorkspace(run: JobRun, result: JobResult, acts: JobActivities): Promise<void> {
  const ws = run.workspace;
  if (ws?.mode !== 'worktree' || result.failureClass === FailureClass.HostLost) return;
  const onHost = ws.hostQueue ? jobActivities(run.spec, ws.hostQueue) : acts;
  const written = run.agent?.instructionsWritten;
  try {
    const done = await CancellationScope.nonCancellable(() =>
      onHost.short.finishWorkspace({
        workspace: ws,
        jobId: run.spec.jobId,
        title: run.spec.prompt.split('\n')[0]?.slice(0, 72) ?? '',
        failed: result.status === 'failed' || result.status === 'cancelled',
        fixed: run.spec.workspacePath !== undefined,
        // A URL repo's work lands in its origin only when it passed its check and review.
        push: result.status === 'succeeded',
        exclude: written ? [written] : [],
      }),
    );
    if (done.commit) result.commit = done.commit;
    if (done.commit) result.branch = done.commit.branch;
    // A failed job's changes were never listed (it stopped before): what it committed is what it changed.
    if (done.files && result.filesChanged.length === 0) result.filesChanged = done.files;
    if (done.pushed) result.pushed = done.pushed;
    if (done.removed) result.worktreeRemoved = true;
    if (done.error) result.commitError = done.error;
    if (done.outsideWrites) result.outsideWrites = done.outsideWrites;
    // The agent changed its workspace's git metadata: nothing was committed (no command differs: replay-safe).
    if (done.tampered) result.tampered = done.tampered;
  } catch (err) {
    if (isCancellation(err)) throw err;
    result.commitError = decodeFailure(err).message;
    log.warn('job work not committed', { jobId: run.spec.jobId, error: result.commitError });
  }
}

/** `submit --land`: a succeeded job joins its target's merge queue (default: the branch it started from). */
export async function landWhenDone(run: JobRun, result: JobResult, acts: JobActivities): Promise<void> {
  const land = run.spec.land;
  if (!land) return;
  const target = land.target ?? result.baseRef;
  const asked = landRequestOf(run.spec, result, Date.now(), land.resolver);
  if (!target || 'refused' in asked) {
    result.landQueue = `not queued: ${'refused' in asked ? asked.refused : 'no target branch'}`;
    return;
  }
  try {
    const queue = await CancellationScope.nonCancellable(() =>
      acts.short.enqueueLanding({ repo: run.spec.repoPath, target, request: asked.request }),
    );
    result.landQueue = queue;
  } catch (err) {
    if (isCancellation(err)) throw err;
    result.landQueue = `not queued: ${decodeFailure(err).message}`;
  }
}
