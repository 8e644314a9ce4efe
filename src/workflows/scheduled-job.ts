// A schedule's action: each run starts one job as a child, with a job id made from the run's own workflow id.
import { workflowInfo } from '@temporalio/workflow';
import type { JobResult, JobSpec } from '../shared/types.js';
import { runChildJob } from './child-job.js';

export interface ScheduledJobInput {
  schedule: string;
  /** The job as validated when the schedule was added; its jobId is replaced per run. */
  spec: JobSpec;
}

/**
 * Temporal names a scheduled run `<schedule workflow id>-<ISO time>`; colons are not allowed in branch
 * names and job ids are lowercase, so the job id keeps only [a-z0-9-].
 */
export function scheduledJobId(runWorkflowId: string): string {
  return `job-${runWorkflowId.toLowerCase().replace(/[^a-z0-9-]/g, '')}`.slice(0, 64);
}

export async function scheduledJobWorkflow(input: ScheduledJobInput): Promise<JobResult> {
  const job: JobSpec = { ...input.spec, jobId: scheduledJobId(workflowInfo().workflowId) };
  // The run ends with its job, so the schedule's overlap policy (skip) sees a running job as a running action.
  return runChildJob(job);
}
