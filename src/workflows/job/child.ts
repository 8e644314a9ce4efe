// A job run as a child workflow (sessions, chains): its id is the job id, its result a JobResult even when it failed.
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
  executeChild,
  isCancellation,
  ParentClosePolicy,
} from '@temporalio/workflow';
import { SA } from '../../protocol/search-attributes.js';
import { emptyTokens, type JobResult, type JobSpec } from '../../protocol/job.js';
import type { jobWorkflow } from './workflow.js';

export async function runChildJob(job: JobSpec): Promise<JobResult> {
  try {
    return await executeChild<typeof jobWorkflow>('jobWorkflow', {
      workflowId: job.jobId,
      args: [job],
      // Ending the parent by force cancels its running job cleanly (the lease is released).
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      typedSearchAttributes: [
        { key: SA.backend, value: job.backend },
        { key: SA.kind, value: job.kind },
        { key: SA.lane, value: job.lane },
        { key: SA.status, value: 'queued' },
      ],
    });
  } catch (err) {
    if (isCancellation(err) && CancellationScope.current().consideredCancelled) throw err;
    return resultOfFailure(job, err);
  }
}

/** A failed job carries its JobResult in the failure details; anything else becomes a minimal failed result. */
function resultOfFailure(job: JobSpec, err: unknown): JobResult {
  const cause = err instanceof ChildWorkflowFailure ? err.cause : err;
  const carried = cause instanceof ApplicationFailure ? (cause.details?.[0] as JobResult | undefined) : undefined;
  if (carried && typeof carried === 'object' && carried.jobId === job.jobId) return carried;
  const now = Date.now();
  const cancelled = cause instanceof CancelledFailure;
  return {
    jobId: job.jobId,
    status: cancelled ? 'cancelled' : 'failed',
    backend: job.backend,
    kind: job.kind,
    lane: job.lane,
    finalText: '',
    tokens: emptyTokens(),
    durationMs: 0,
    leaseWaitMs: 0,
    filesChanged: [],
    attempts: 0,
    backends: [],
    ...(cancelled ? {} : { failureClass: 'JobFailed', failureMessage: cause instanceof Error ? cause.message : String(cause) }),
    timeline: { queuedAt: now, finishedAt: now },
  };
}
