// A job run as a child workflow (sessions, chains): its id is the job id, its result a JobResult even when it failed.
import {
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
  executeChild,
  isCancellation,
  ParentClosePolicy,
} from '@temporalio/workflow';
import { decodeFailure, FailureClass } from '../../protocol/failures.js';
import { SA } from '../../protocol/search-attributes.js';
import { emptyTokens } from '../../protocol/tokens.js';
import type { JobResult } from '../../protocol/result.js';
import type { JobSpec } from '../../protocol/job.js';
import { WORKFLOW } from '../../protocol/workflow-types.js';
import type { jobWorkflow } from './workflow.js';

export async function runChildJob(job: JobSpec): Promise<JobResult> {
  try {
    return await executeChild<typeof jobWorkflow>(WORKFLOW.job, {
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
  const carried = decodeFailure(err).result;
  if (carried?.jobId === job.jobId) return carried;
  const cause = err instanceof ChildWorkflowFailure ? err.cause : err;
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
    ...(cancelled
      ? {}
      : {
          failureClass: FailureClass.JobFailed,
          failureMessage: cause instanceof Error ? cause.message : String(cause),
        }),
    timeline: { queuedAt: now, finishedAt: now },
  };
}
