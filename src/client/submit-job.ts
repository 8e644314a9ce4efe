// Submitting a job under an id nobody has used: a job id names one run, its history and its ledger line forever.
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Config } from '../config/schema.js';
import type { JobSpec } from '../protocol/job.js';
import { SA } from '../protocol/search-attributes.js';
import { WORKFLOW } from '../protocol/workflow-types.js';
import { UsageError } from '../support/usage-error.js';
import type { jobWorkflow } from '../workflows/job/workflow.js';
import { startJob } from './jobs.js';

/** What holds the id now: the job's own status when it is a job (succeeded, running…), else the workflow's. */
export async function existingWorkflowState(client: Client, id: string): Promise<string | undefined> {
  try {
    const d = await client.workflow.getHandle(id).describe();
    const workflowStatus = d.status.name.toLowerCase();
    if (d.type !== WORKFLOW.job) return `a ${d.type} workflow, ${workflowStatus}`;
    const jobStatus = d.typedSearchAttributes.get(SA.status);
    // A terminated job's attribute still says queued or running: the workflow's own status is the truth then.
    const stale = d.status.name !== 'RUNNING' && (jobStatus === 'queued' || jobStatus === 'running');
    return jobStatus && !stale ? jobStatus : workflowStatus;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

const duplicate = (id: string, state: string): UsageError =>
  new UsageError(`job ${id} already exists (${state}); pick another --id`);

/**
 * Checks the id before anything starts, then starts with REJECT_DUPLICATE so a race (another submit between the
 * check and the start) cannot start a second run either; that race is reported as the same usage error.
 */
export async function submitJob(
  client: Client,
  config: Config,
  spec: JobSpec,
): Promise<WorkflowHandle<typeof jobWorkflow>> {
  const before = await existingWorkflowState(client, spec.jobId);
  if (before) throw duplicate(spec.jobId, before);
  try {
    return await startJob(client, config, spec);
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw duplicate(spec.jobId, (await existingWorkflowState(client, spec.jobId)) ?? 'started meanwhile');
    throw err;
  }
}
