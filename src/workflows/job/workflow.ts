// One job = one workflow: lease → workspace (on some host) → agent → check → result → release (always).
import {
  type ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { decodeFailure, encodeFailure, FailureClass } from '../../protocol/failures.js';
import { SA } from '../../protocol/search-attributes.js';
import type { JobProgress, JobResult } from '../../protocol/result.js';
import type { JobSpec, JobStatus } from '../../protocol/job.js';
import { leaseGrantedSignal, progressQuery } from '../../protocol/signals.js';
import { jobActivities, type JobActivities } from './activities.js';
import { runOnHosts, type HostRun } from './hosts.js';
import { finishWorkspace, landWhenDone } from './finish.js';
import { buildResult, type ResultParts } from './result.js';
import { releaseInput, releaseLease, spendOf } from './lease.js';
import { notifyEnded } from './notify.js';
import { doWork, stepOf, type JobRun } from './work.js';

export async function jobWorkflow(spec: JobSpec): Promise<JobResult> {
  const progress: JobProgress = {
    jobId: spec.jobId,
    step: 'queued',
    status: 'queued',
    lane: spec.lane,
    backend: spec.backend,
    kind: spec.kind,
    queuedAt: Date.now(),
  };
  const run: JobRun = { spec, progress, changed: [], backends: [], moves: [] };
  // A lean job (its lease and ledger by local activity) comes after every patch below: one marker stands for them all.
  run.lean = patched('lean-job');
  // Jobs from before commit-at-end left their work uncommitted in the worktree (a URL repo's pushed by doWork).
  run.commitAtEnd = run.lean || patched('job-commit');
  // Jobs from before auth-broken marks failed on an AuthFailed and asked for a lease without their backends.
  run.authMoves = run.lean || patched('auth-broken');
  setHandler(leaseGrantedSignal, (g) => void (run.grant ??= g));
  setHandler(progressQuery, () => progress);
  const acts = jobActivities(spec);
  let result: JobResult;
  try {
    stepOf(run, 'waiting-for-lease');
    await (run.lean ? acts.local : acts.lease).requestLease({
      jobId: spec.jobId,
      lane: spec.lane,
      kind: spec.kind,
      estimate: spec.estimateTokens,
      requestedAt: Date.now(),
      ...(run.authMoves ? { backends: [spec.backend, ...(spec.fallbacks ?? [])] } : {}),
      ...(spec.mcp ? { brain: true } : {}), // absent in every older spec: their requests replay unchanged
    });
    await condition(() => run.grant !== undefined);
    progress.leaseGrantedAt = run.grant?.grantedAt ?? Date.now();
    setStatus(progress, 'running');
    stepOf(run, 'preparing-workspace');
    // Jobs started before the fleet ran every activity on the shared queue.
    if (run.lean || patched('host-pinned')) await runPinned(run, acts);
    else {
      run.workspace = await acts.short.prepareWorkspace(spec);
      await doWork(run, acts);
    }
    result = buildResult(partsOf(run, run.agent?.attempt ?? 1));
    if (run.commitAtEnd) await finishWorkspace(run, result, acts);
    await landWhenDone(run, result, acts);
    finish(progress, result);
  } catch (err) {
    const cancelled = isCancellation(err);
    const failure = decodeFailure(err);
    result = buildResult({ ...partsOf(run, attemptsOf(err)), changed: [], failure, cancelled });
    if (run.commitAtEnd) await finishWorkspace(run, result, acts);
    finish(progress, result);
    if (cancelled) throw err;
    throw jobFailed(result, err);
  } finally {
    stepOf(run, 'releasing-lease');
    if (run.lean) await releaseAndRecord(run, acts);
    else {
      // Jobs from before budgets released without their spend: their histories replay without the marker.
      const spend = patched('budget-spend') && progress.result ? spendOf(progress.result) : undefined;
      await CancellationScope.nonCancellable(() =>
        releaseLease(spec.capacityWorkflowId, spec.jobId, progress.result?.tokens, spend),
      );
      // Jobs recorded before the ledger existed replay without it.
      if (progress.result && patched('job-ledger')) await recordInLedger(acts.short, progress.result);
    }
    // Only specs that ask for it (a job.ended webhook): every history from before replays without the child.
    if (progress.result && spec.notify && patched('notify')) await notifyEnded(spec, progress.result);
    stepOf(run, 'done');
  }
  if (result.status === 'failed') throw jobFailed(result);
  return result;
}

/** Prepare on some host, pin to it, move on when it is lost; an agent session stays behind with its host. */
function runPinned(run: JobRun, acts: JobActivities): Promise<void> {
  const hostRun: HostRun = {
    spec: run.spec,
    acts,
    moves: run.moves,
    lean: run.lean ?? false,
    currentStep: () => run.progress.step,
    onNewHost: (ws) => {
      if (!run.spec.resumeSessionId) return;
      run.freshSession = `agent session ${run.spec.resumeSessionId} stays on host ${run.spec.host ?? run.moves.at(-1)?.from ?? '?'}; fresh session on ${ws.host ?? '?'}`;
      const { resumeSessionId: _gone, ...fresh } = run.spec;
      run.spec = fresh;
      hostRun.spec = fresh;
    },
  };
  return runOnHosts(hostRun, async (hostActs) => {
    if (hostRun.workspace) run.workspace = hostRun.workspace;
    if (hostRun.workspace?.host) run.progress.host = hostRun.workspace.host;
    await doWork(run, hostActs);
  });
}

function partsOf(run: JobRun, attempts: number): ResultParts {
  return {
    spec: run.spec,
    progress: run.progress,
    agent: run.agent,
    workspace: run.workspace,
    check: run.check,
    changed: run.changed,
    attempts,
    backends: run.backends,
    moves: run.moves,
    ...(run.pushed ? { pushed: run.pushed } : {}),
    ...(run.freshSession ? { freshSession: run.freshSession } : {}),
    ...(run.rounds ? { rounds: run.rounds } : {}),
  };
}

/** Release, then ledger, both local activities: the job ends in the workflow task that saw its agent end. */
async function releaseAndRecord(run: JobRun, acts: JobActivities): Promise<void> {
  const { spec, progress } = run;
  const release = releaseInput(spec.jobId, progress.result?.tokens, progress.result && spendOf(progress.result));
  const released = (): Promise<void> =>
    acts.local
      .releaseLease({ capacityWorkflowId: spec.capacityWorkflowId, release })
      .catch((err: unknown) =>
        log.warn('lease release not delivered (the reconcile will reclaim it)', { error: String(err) }),
      );
  // Inside the scope: a cancelled job still releases and records. One after the other: histories read in order.
  await CancellationScope.nonCancellable(async () => {
    await released();
    if (progress.result) await recordInLedger(acts.ledger, progress.result);
  });
}

/** The ledger feeds `stats`; a job's outcome never depends on it, so a failure to write is logged, not thrown. */
async function recordInLedger(acts: Pick<JobActivities['short'], 'recordJob'>, result: JobResult): Promise<void> {
  try {
    await CancellationScope.nonCancellable(() => acts.recordJob(result));
  } catch (err) {
    log.warn('job not recorded in the ledger', { jobId: result.jobId, error: String(err) });
  }
}

/** The workflow fails with the job's failure class as its type and the JobResult as details. */
function jobFailed(result: JobResult, cause?: unknown): ApplicationFailure {
  const type = (result.failureClass ?? FailureClass.JobFailed) as FailureClass;
  const message = `job ${result.jobId} failed: ${result.failureMessage ?? 'unknown error'}`;
  return encodeFailure(type, message, { nonRetryable: true, details: result, cause });
}

function finish(progress: JobProgress, result: JobResult): JobResult {
  progress.result = result;
  setStatus(progress, result.status);
  return result;
}

function setStatus(progress: JobProgress, status: JobStatus): void {
  progress.status = status;
  upsertSearchAttributes([{ key: SA.status, value: status }]);
}

/** The last attempt number travels in the agent failure's details; 1 when unknown. */
const attemptsOf = (err: unknown): number => decodeFailure(err).agent?.attempt ?? 1;
