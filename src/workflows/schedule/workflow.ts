// A schedule's action: each run starts one job as a child, with a job id made from the run's own workflow id.
import { workflowInfo } from '@temporalio/workflow';
import type { JobResult, JobSpec } from '../../protocol/job.js';
import { runChildJob } from '../job/child.js';

export interface ScheduledJobInput {
  schedule: string;
  /** `sched-<name>` (with the task queue when it is not the default): each run's job id starts with it. */
  jobIdPrefix: string;
  /** The job as validated when the schedule was added; its jobId is replaced per run. */
  spec: JobSpec;
}

/**
 * `job-<prefix>-<run start, to the second>`: from the history (not the run's workflow id, which holds colons
 * that branch names reject), so a replay under any id makes the same child.
 */
export function scheduledJobId(prefix: string, startTime: Date): string {
  return `job-${prefix}-${startTime.toISOString().slice(0, 19).toLowerCase().replace(/[^a-z0-9-]/g, '')}z`;
}

export async function scheduledJobWorkflow(input: ScheduledJobInput): Promise<JobResult> {
  const job: JobSpec = { ...input.spec, jobId: scheduledJobId(input.jobIdPrefix, workflowInfo().startTime) };
  // The run ends with its job, so the schedule's overlap policy (skip) sees a running job as a running action.
  return runChildJob(job);
}
