// One chain step: render its prompt, run it as a child job (under its own lease), rerun on failure up to `retries`.
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
  executeChild,
  isCancellation,
  ParentClosePolicy,
} from '@temporalio/workflow';
import { renderTemplate } from '../chains/template.js';
import { SA } from '../shared/search-attributes.js';
import { emptyTokens, type JobResult, type JobSpec } from '../shared/types.js';
import { addTokens, workspaceOf, type ChainSpec, type ChainStepSpec, type StepRecord } from './chain-state.js';
import type { jobWorkflow } from './job.js';

export interface StepRun {
  spec: ChainSpec;
  step: ChainStepSpec;
  rec: StepRecord;
  outputs: Record<string, string>;
  parallel: boolean;
}

/** Never throws for a failed step (the record says how it ended); rethrows only the chain's own cancellation. */
export async function runStep({ spec, step, rec, outputs, parallel }: StepRun): Promise<void> {
  const started = Date.now();
  rec.state = 'running';
  rec.startedAt = started;
  const prompt = renderTemplate(step.job.prompt, { task: spec.task, outputs });
  const ws = workspaceOf(spec, parallel ? step.id : undefined);
  for (let attempt = 1; attempt <= 1 + step.retries; attempt++) {
    // A retried step is a fresh child: earlier children's results stay in the history and the record.
    const jobId = attempt === 1 ? `${spec.chainId}-${step.id}` : `${spec.chainId}-${step.id}-${attempt}`;
    rec.jobId = jobId;
    rec.jobIds.push(jobId);
    rec.attempts = attempt;
    const result = await runChild({ ...step.job, jobId, prompt, workspacePath: ws.workspacePath, branch: ws.branch });
    rec.result = result;
    addTokens(rec.tokens, result.tokens);
    if (result.status === 'succeeded' || result.status === 'no_op') break;
    rec.failures.push({
      jobId,
      status: result.status,
      ...(result.failureClass ? { failureClass: result.failureClass } : {}),
      ...(result.failureMessage ? { failureMessage: result.failureMessage } : {}),
    });
    if (result.status === 'cancelled') break;
  }
  const ok = rec.result?.status === 'succeeded' || rec.result?.status === 'no_op';
  rec.state = ok ? 'succeeded' : 'failed';
  rec.durationMs = Date.now() - started;
}

async function runChild(job: JobSpec): Promise<JobResult> {
  try {
    return await executeChild<typeof jobWorkflow>('jobWorkflow', {
      workflowId: job.jobId,
      args: [job],
      // Cancelling the chain cancels its running job cleanly (the lease is released).
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
