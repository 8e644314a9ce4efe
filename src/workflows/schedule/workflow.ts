// A schedule's action: each run starts one job as a child, with a job id made from the run's own workflow id.
import { workflowInfo } from '@temporalio/workflow';
import type { JobResult } from '../../protocol/result.js';
import { scheduledJobId } from '../../protocol/ids.js';
import type { JobSpec } from '../../protocol/job.js';
import type { ScheduledJobInput } from '../../protocol/schedule.js';
import { runChildJob } from '../job/child.js';

export async function scheduledJobWorkflow(input: ScheduledJobInput): Promise<JobResult> {
  const job: JobSpec = { ...input.spec, jobId: scheduledJobId(input.jobIdPrefix, workflowInfo().startTime) };
  // The run ends with its job, so the schedule's overlap policy (skip) sees a running job as a running action.
  return runChildJob(job);
}
