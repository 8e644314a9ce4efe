// The merge queue: one workflow per target branch of a repo lands jobs one at a time, in order — the job's work
// on the target's tip, its check on the result, the target moved only when the check passes. Durable like a job.
import { condition, continueAsNew, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import { decodeFailure } from '../../protocol/failures.js';
import type {
  LandEntry,
  LandPrepared,
  LandQueueInput,
  LandRequest,
  LandStrategy,
  LandView,
} from '../../protocol/land.js';
import { landRequestSignal, landViewQuery } from '../../protocol/signals.js';
import { runChildJob } from '../job/child.js';
import { hostActs, record, runLandingCheck, type LandActs } from './activities.js';
import { resolverJob } from './resolver.js';
import { endEntry, enqueue, newLandState, takeNext, type Ending, type LandQueueState } from './state.js';

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

type Outcome = Ending & { state: LandEntry['state'] };
type Prepared<K extends LandPrepared['kind']> = Extract<LandPrepared, { kind: K }>;

/** One landing in progress: the work to put on the tip (the job's, or its resolver's), and its scratch worktree. */
interface LandRun {
  input: LandQueueInput;
  req: LandRequest;
  entry: LandEntry;
  acts: LandActs;
  work: { branch: string; sha: string; strategy: LandStrategy };
  resolved: boolean;
  scratch?: string;
}

async function landOne(input: LandQueueInput, req: LandRequest, entry: LandEntry): Promise<Outcome> {
  entry.state = 'landing';
  entry.startedAt = Date.now();
  const work = { branch: req.branch, sha: req.sha, strategy: input.strategy };
  const run: LandRun = { input, req, entry, acts: hostActs(input, req), work, resolved: false };
  try {
    for (let tries = 0; tries < TRIES;) {
      const { landId, repo, target } = input;
      const prep = await run.acts.git.prepareLanding({ ...run.work, landId, repo, target, jobId: req.jobId });
      entry.from = prep.tip;
      if (prep.kind === 'landed') return { state: 'landed', commit: prep.commit };
      if (prep.kind === 'conflict') {
        const stop = await resolveConflict(run, prep);
        if (stop) return stop;
        continue;
      }
      run.scratch = prep.scratch;
      const done = await checkAndAdvance(run, prep);
      if (done) return done;
      tries++; // the target moved, or the scratch worktree was lost: put the work on the tip again
    }
    return { state: 'failed', output: `${input.target} moved under the queue ${TRIES} times` };
  } catch (err) {
    if (isCancellation(err)) throw err;
    if (run.scratch) await run.acts.git.removeScratch(run.scratch).catch(() => undefined);
    return { state: 'failed', output: decodeFailure(err).message };
  }
}

/** A conflict ends the landing, unless a resolver job (once) commits a resolution to land in its place. */
async function resolveConflict(run: LandRun, prep: Prepared<'conflict'>): Promise<Outcome | undefined> {
  const { req, entry, input } = run;
  if (!req.resolver || run.resolved) return { state: 'conflict', files: prep.files };
  entry.state = 'resolving';
  entry.files = prep.files;
  const r = await runChildJob(resolverJob(req, input.target, prep.tip, prep.files, Date.now()));
  entry.resolverJobId = r.jobId;
  if (r.status !== 'succeeded' || !r.commit) {
    const why = r.failureMessage ?? r.finalText.slice(0, 500);
    return { state: 'conflict', files: prep.files, output: `resolver ${r.jobId} ${r.status}: ${why}` };
  }
  // The resolution is a merge on the tip: it lands as it is (a fast-forward), never rebased apart.
  run.work = { branch: r.commit.branch, sha: r.commit.sha, strategy: 'merge' };
  run.resolved = true;
  entry.state = 'landing';
  return undefined;
}

/** The check on the result, then the target moved; undefined when it must start over (moved, or scratch lost). */
async function checkAndAdvance(run: LandRun, prep: Prepared<'ready'>): Promise<Outcome | undefined> {
  const { req, entry, input, acts } = run;
  if (req.check) {
    entry.state = 'checking';
    const check = await runLandingCheck(acts, req, prep.scratch);
    if (!check) return undefined;
    if (!check.passed) {
      await acts.git.removeScratch(prep.scratch);
      delete run.scratch;
      return { state: 'check-failed', output: `exit ${check.exitCode}\n${check.outputTail}` };
    }
  }
  const { repo, target } = input;
  const moved = await acts.git.advanceTarget({
    repo,
    target,
    branch: run.work.branch,
    tip: prep.tip,
    result: prep.result,
    scratch: prep.scratch,
  });
  if (moved.kind !== 'landed') return undefined;
  delete run.scratch;
  return { state: 'landed', commit: moved.commit };
}
