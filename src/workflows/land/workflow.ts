// The merge queue: one workflow per target branch of a repo lands jobs one at a time, in order — the job's work
// on the target's tip, its check on the result, the target moved only when the check passes. Durable like a job.
import {
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../protocol/activities.js';
import { decodeFailure, FailureClass, NON_RETRYABLE } from '../../protocol/failures.js';
import { hostQueue } from '../../protocol/ids.js';
import type { LandEntry, LandQueueInput, LandRequest } from '../../protocol/land.js';
import { landRequestSignal, landViewQuery } from '../../protocol/signals.js';
import type { LandView } from '../../protocol/land.js';
import { runChildJob } from '../job/child.js';
import { resolverJob } from './resolver.js';
import { endEntry, enqueue, newLandState, takeNext, type Ending, type LandQueueState } from './state.js';

const shared = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumAttempts: 5 },
});
const TRIES = 3; // a target that moves under the queue this often (pushes from outside) ends the landing as failed

/** A queue with nothing to land for `idleSeconds` completes; the next request starts it again. */
export async function landWorkflow(input: LandQueueInput, carried?: LandQueueState): Promise<LandView> {
  const state = carried ?? newLandState(input);
  setHandler(landRequestSignal, (req) => enqueue(state, req));
  setHandler(landViewQuery, () => state.view);
  for (;;) {
    if (!(await condition(() => state.pending.length > 0, `${input.idleSeconds} seconds`))) break;
    const next = takeNext(state);
    if (!next) continue;
    const ending = await landOne(input, next.req, next.entry);
    endEntry(state, next.entry, ending.state, ending, Date.now());
    await record(input, next.entry);
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof landWorkflow>(input, state);
  }
  return state.view;
}

/** Git steps and the check go to the host whose repo holds the job's branch. */
function hostActs(input: LandQueueInput, req: LandRequest) {
  const pin = req.host
    ? {
        taskQueue: hostQueue(workflowInfo().taskQueue, req.host),
        scheduleToStartTimeout: `${input.hostLostSeconds} seconds`,
      }
    : {};
  const retry = { maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE };
  const git = proxyActivities<Activities>({ ...pin, startToCloseTimeout: '10 minutes', retry });
  const check = proxyActivities<Activities>({
    ...pin,
    startToCloseTimeout: `${req.timeoutSeconds + 60} seconds`,
    heartbeatTimeout: `${Math.max(req.heartbeatSeconds * 3, 5)} seconds`,
    retry,
  });
  return { git, check };
}

type Outcome = Ending & { state: LandEntry['state'] };

async function landOne(input: LandQueueInput, req: LandRequest, entry: LandEntry): Promise<Outcome> {
  entry.state = 'landing';
  entry.startedAt = Date.now();
  const acts = hostActs(input, req);
  let work = { branch: req.branch, sha: req.sha, strategy: input.strategy };
  let resolved = false;
  try {
    for (let tries = 0; tries < TRIES;) {
      const prep = await acts.git.prepareLanding({
        ...work,
        landId: input.landId,
        repo: input.repo,
        target: input.target,
        jobId: req.jobId,
      });
      entry.from = prep.tip;
      if (prep.kind === 'landed') return { state: 'landed', commit: prep.commit };
      if (prep.kind === 'conflict') {
        if (!req.resolver || resolved) return { state: 'conflict', files: prep.files };
        entry.state = 'resolving';
        entry.files = prep.files;
        const r = await runChildJob(resolverJob(req, input.target, prep.tip, prep.files, Date.now()));
        entry.resolverJobId = r.jobId;
        if (r.status !== 'succeeded' || !r.commit)
          return {
            state: 'conflict',
            files: prep.files,
            output: `resolver ${r.jobId} ${r.status}: ${r.failureMessage ?? r.finalText.slice(0, 500)}`,
          };
        // The resolution is a merge on the tip: it lands as it is (a fast-forward), never rebased apart.
        work = { branch: r.commit.branch, sha: r.commit.sha, strategy: 'merge' };
        resolved = true;
        entry.state = 'landing';
        continue;
      }
      if (req.check) {
        entry.state = 'checking';
        const check = await runLandingCheck(acts, req, prep.scratch);
        if (!check) {
          tries++; // the host lost its scratch worktree (a restart on a fresh disk): put the work on the tip again
          continue;
        }
        if (!check.passed) {
          await acts.git.removeScratch(prep.scratch);
          return { state: 'check-failed', output: `exit ${check.exitCode}\n${check.outputTail}` };
        }
      }
      const moved = await acts.git.advanceTarget({
        repo: input.repo,
        target: input.target,
        tip: prep.tip,
        result: prep.result,
        scratch: prep.scratch,
      });
      if (moved.kind === 'landed') return { state: 'landed', commit: moved.commit };
      tries++;
    }
    return { state: 'failed', output: `${input.target} moved under the queue ${TRIES} times` };
  } catch (err) {
    if (isCancellation(err)) throw err;
    return { state: 'failed', output: decodeFailure(err).message };
  }
}

/** The job's check on the landed result; undefined when it could not run there (its scratch worktree is gone). */
async function runLandingCheck(acts: ReturnType<typeof hostActs>, req: LandRequest, scratch: string) {
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
async function record(input: LandQueueInput, entry: LandEntry): Promise<void> {
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
