// One job = one workflow: lease → workspace → agent → check → result → release (always).
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
import type {
  AgentSummary,
  BackendAttempt,
  CheckOutcome,
  JobProgress,
  JobResult,
  WorkspaceInfo,
} from '../../protocol/result.js';
import type { JobSpec, JobStatus, JobStep } from '../../protocol/job.js';
import { leaseGrantedSignal, progressQuery } from '../../protocol/signals.js';
import type { LeaseGrant } from '../../protocol/capacity.js';
import { jobActivities } from './activities.js';
import { buildResult } from './result.js';
import { markLimited, releaseLease } from './lease.js';
import { runWithFailover } from './failover.js';
import { verifyAndReview, type RoundsOutcome } from './rounds.js';

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
  let grant: LeaseGrant | undefined;
  setHandler(leaseGrantedSignal, (g) => void (grant ??= g));
  setHandler(progressQuery, () => progress);
  const acts = jobActivities(spec);
  const step = (s: JobStep): void => void (progress.step = s);
  let agent: AgentSummary | undefined;
  let workspace: WorkspaceInfo | undefined;
  let check: CheckOutcome | undefined;
  let result: JobResult;
  const backends: BackendAttempt[] = [];
  try {
    step('waiting-for-lease');
    await acts.lease.requestLease({
      jobId: spec.jobId,
      lane: spec.lane,
      kind: spec.kind,
      estimate: spec.estimateTokens,
      requestedAt: Date.now(),
    });
    await condition(() => grant !== undefined);
    progress.leaseGrantedAt = grant?.grantedAt ?? Date.now();
    setStatus(progress, 'running');
    step('preparing-workspace');
    workspace = await acts.short.prepareWorkspace(spec);
    step('running-agent');
    agent = await runWithFailover({
      spec,
      workspace,
      acts,
      limits: grant?.limitedBackends ?? {},
      trail: backends,
      onLimited: (backend, until) => markLimited(spec.capacityWorkflowId, backend, until),
      onBackend: (backend) => {
        if (backend === progress.backend) return;
        progress.backend = backend;
        upsertSearchAttributes([{ key: SA.backend, value: backend }]);
      },
    });
    let rounds: RoundsOutcome | undefined;
    if (spec.fixRounds || spec.review) {
      rounds = await verifyAndReview({ spec, workspace, acts, agent, step });
      agent = rounds.agent;
      check = rounds.check;
    } else if (spec.check && workspace.mode !== 'none') {
      step('running-check');
      check = await acts.short.runCheck({
        command: spec.check,
        cwd: workspace.path,
        jobDir: workspace.jobDir,
        timeoutSeconds: spec.timeoutSeconds,
      });
    }
    step('collecting-result');
    const changed = await acts.short.changedFiles(workspace);
    result = finish(
      progress,
      buildResult({
        spec,
        progress,
        agent,
        workspace,
        check,
        changed,
        attempts: agent.attempt,
        backends,
        ...(rounds ? { rounds } : {}),
      }),
    );
  } catch (err) {
    const cancelled = isCancellation(err);
    const failure = decodeFailure(err);
    result = buildResult({
      spec,
      progress,
      agent,
      workspace,
      check,
      changed: [],
      attempts: attemptsOf(err),
      backends,
      failure,
      cancelled,
    });
    finish(progress, result);
    if (cancelled) throw err;
    throw jobFailed(result, err);
  } finally {
    step('releasing-lease');
    await CancellationScope.nonCancellable(() =>
      releaseLease(spec.capacityWorkflowId, spec.jobId, progress.result?.tokens),
    );
    // Jobs recorded before the ledger existed replay without it.
    if (progress.result && patched('job-ledger')) await recordInLedger(acts, progress.result);
    step('done');
  }
  if (result.status === 'failed') throw jobFailed(result);
  return result;
}

/** The ledger feeds `stats`; a job's outcome never depends on it, so a failure to write is logged, not thrown. */
async function recordInLedger(acts: ReturnType<typeof jobActivities>, result: JobResult): Promise<void> {
  try {
    await CancellationScope.nonCancellable(() => acts.short.recordJob(result));
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
