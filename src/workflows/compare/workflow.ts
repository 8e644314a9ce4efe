// A compare (bake-off): one prompt, one child job per backend in its own worktree, all in parallel; each
// backend's changes committed on its branch; one row per backend. Finished children live in the history,
// so a worker crash mid-way resumes without rerunning them.
import { isCancellation, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../protocol/activities.js';
import { decodeFailure } from '../../protocol/failures.js';
import { hostQueue } from '../../protocol/ids.js';
import type { JobResult } from '../../protocol/result.js';
import type { JobSpec } from '../../protocol/job.js';
import { runChildJob } from '../job/child.js';
import { compareViewQuery } from '../../protocol/signals.js';
import { entryOf, newCompareView, rowOf } from './state.js';
import type { CommitOutcome, CompareSpec, CompareView } from '../../protocol/compare.js';

const OPTIONS = { startToCloseTimeout: '2 minutes', retry: { initialInterval: '1 second', maximumAttempts: 3 } };
const acts = proxyActivities<Activities>(OPTIONS);

/** The commit goes to the host that holds the job's worktree (results from before the fleet name none). */
const onHostOf = (result: JobResult) =>
  result.host
    ? proxyActivities<Activities>({
        ...OPTIONS,
        taskQueue: hostQueue(workflowInfo().taskQueue, result.host),
        scheduleToStartTimeout: '1 minute',
      })
    : acts;

export async function compareWorkflow(spec: CompareSpec): Promise<CompareView> {
  const view = newCompareView(spec, Date.now());
  setHandler(compareViewQuery, () => view);
  // Each child leases its own capacity slot; a backend that fails still yields a row.
  await Promise.all(
    spec.specs.map(async (job) => {
      const entry = entryOf(view, job.jobId);
      entry.state = 'running';
      const result = await runChildJob(job);
      entry.state = 'committing';
      entry.row = rowOf(job, result, await commitChanges(spec, job, result));
      entry.state = 'done';
    }),
  );
  view.status = 'done';
  view.finishedAt = Date.now();
  return view;
}

/** The backend's changed files, committed on its branch; a commit that cannot be made is reported, not fatal. */
async function commitChanges(spec: CompareSpec, job: JobSpec, result: JobResult): Promise<CommitOutcome> {
  if (result.commit) return { commit: result.commit.sha }; // the job committed its own work when it ended
  if (!result.workspace || !result.branch || result.filesChanged.length === 0) return {};
  try {
    const commit = await onHostOf(result).commitBranch({
      cwd: result.workspace,
      files: result.filesChanged,
      message: `nightshift compare ${spec.compareId}: ${job.backend}`,
    });
    return { commit };
  } catch (err) {
    if (isCancellation(err)) throw err;
    return { commitError: decodeFailure(err).message };
  }
}
