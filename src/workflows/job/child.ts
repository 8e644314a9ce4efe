// Children other workflows start: a job (sessions, chains), its id the job id, its result a JobResult even when it
// failed; and a notification (jobs, the capacity singleton), abandoned so that no one waits on a slow receiver.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
  executeChild,
  isCancellation,
  log,
  ParentClosePolicy,
  startChild,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { decodeFailure, FailureClass } from '../../protocol/failures.js';
import { SA } from '../../protocol/search-attributes.js';
import { emptyTokens } from '../../protocol/tokens.js';
import type { JobResult } from '../../protocol/result.js';
import type { JobSpec } from '../../protocol/job.js';
import type { NotifyInput, NotifyWorkflow } from '../../protocol/notify.js';
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

/**
 * Starts the notify workflow and returns once it runs (not when it is delivered). Its id is the notification's:
 * a replayed or retried parent finds it started already and sends nothing twice. Never the parent's failure.
 */
export async function startNotification(workflowId: string, input: NotifyInput): Promise<void> {
  try {
    // A cancelled job notifies too: its scope is cancelled, this start is not.
    await CancellationScope.nonCancellable(() =>
      startChild<NotifyWorkflow>(WORKFLOW.notify, {
        workflowId,
        args: [input],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      }),
    );
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return;
    log.warn('notification not started', { workflowId, error: String(err) });
  }
}
