// Client-side operations on jobs and the capacity singleton.
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { capacitySettings } from '../config/capacity-settings.js';
import type { Config } from '../config/schema.js';
import { idleCapacityView, type CapacityView } from '../protocol/capacity.js';
import { decodeFailure } from '../protocol/failures.js';
import { capacityWorkflowId } from '../protocol/ids.js';
import { SA } from '../protocol/search-attributes.js';
import type { JobProgress, JobResult } from '../protocol/result.js';
import type { JobSpec } from '../protocol/job.js';
import { capacityQuery, progressQuery } from '../protocol/signals.js';
import type { jobWorkflow } from '../workflows/job/workflow.js';
import { WORKFLOW } from '../protocol/workflow-types.js';

export async function startJob(
  client: Client,
  config: Config,
  spec: JobSpec,
): Promise<WorkflowHandle<typeof jobWorkflow>> {
  return client.workflow.start<typeof jobWorkflow>(WORKFLOW.job, {
    workflowId: spec.jobId,
    taskQueue: config.temporal.taskQueue,
    args: [spec],
    typedSearchAttributes: [
      { key: SA.backend, value: spec.backend },
      { key: SA.kind, value: spec.kind },
      { key: SA.lane, value: spec.lane },
      { key: SA.status, value: 'queued' },
    ],
  });
}

/** The job's result; for a failed job, the JobResult carried in the failure's details. */
export async function jobOutcome(client: Client, jobId: string): Promise<{ result?: JobResult; error?: Error }> {
  try {
    return { result: await client.workflow.getHandle<typeof jobWorkflow>(jobId).result() };
  } catch (err) {
    const result = resultFromFailure(err);
    return { ...(result ? { result } : {}), error: err as Error };
  }
}

export const resultFromFailure = (err: unknown): JobResult | undefined => decodeFailure(err).result;

export async function jobProgress(client: Client, jobId: string): Promise<JobProgress> {
  return client.workflow.getHandle(jobId).query(progressQuery);
}

/** The singleton's view; when it has never started, the idle view of the configured settings. */
export async function capacityView(client: Client, config: Config): Promise<CapacityView> {
  try {
    return await client.workflow.getHandle(capacityWorkflowId(config.temporal.taskQueue)).query(capacityQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return idleCapacityView(capacitySettings(config));
    throw err;
  }
}
