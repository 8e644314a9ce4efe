// Client-side operations on jobs and the capacity singleton.
import {
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
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
import { UsageError } from '../support/usage-error.js';

export async function startJob(
  client: Client,
  config: Config,
  spec: JobSpec,
): Promise<WorkflowHandle<typeof jobWorkflow>> {
  return client.workflow.start<typeof jobWorkflow>(WORKFLOW.job, {
    workflowId: spec.jobId,
    // A job id names one run forever: never a second run under a closed job's id.
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
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

/** Work a person submitted: a job, or a chain or compare (their running jobs are cancelled with them). */
const CANCELLABLE: readonly string[] = [WORKFLOW.job, WORKFLOW.chain, WORKFLOW.compare];

/** What the engine's own workflows are, for the refusal (and what to do instead). */
const ENGINE_OWNED: Record<string, string> = {
  [WORKFLOW.capacity]: 'the capacity singleton',
  [WORKFLOW.session]: "a session's workflow (end it with `nightshift sessions close <name>`)",
  [WORKFLOW.scheduledJob]: "a schedule's run (cancel its job, or `nightshift schedule pause <name>`)",
  [WORKFLOW.notify]: "a notification's delivery (it ends on its own; a dead webhook runs out of retries)",
  [WORKFLOW.digest]: "the daily digest's run (`notify.digest` in the config)",
};

/**
 * Cancels a running job, chain or compare. Anything else — the capacity singleton, a session, a schedule's run,
 * a workflow that already finished, an unknown id — is a usage error, and nothing is cancelled.
 */
export async function cancelJob(client: Client, id: string): Promise<void> {
  const handle = client.workflow.getHandle(id);
  let described: WorkflowExecutionDescription;
  try {
    described = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new UsageError(`job id: no job "${id}"`);
    throw err;
  }
  if (!CANCELLABLE.includes(described.type)) {
    const what = ENGINE_OWNED[described.type] ?? `a ${described.type} workflow`;
    throw new UsageError(`job id: ${id} is ${what}, not a job; nothing was cancelled`);
  }
  if (described.status.name !== 'RUNNING')
    throw new UsageError(`job id: ${id} already finished (${finishedAs(described)}); nothing to cancel`);
  await handle.cancel();
}

/** A job's own status (succeeded, failed, no_op, cancelled); else how the workflow closed (e.g. terminated). */
function finishedAs(d: WorkflowExecutionDescription): string {
  const status = d.typedSearchAttributes.get(SA.status);
  return status && status !== 'queued' && status !== 'running' ? status : d.status.name.toLowerCase();
}

/** The job's prompt, from its start event (the progress query does not carry it). */
export async function jobPrompt(client: Client, id: string): Promise<string | undefined> {
  const spec = await jobSpecOf(client, id);
  return typeof spec?.prompt === 'string' ? spec.prompt : undefined;
}

/** The spec a job was started with: its workflow's input, from the start event. */
export async function jobSpecOf(client: Client, id: string): Promise<JobSpec | undefined> {
  const history = await client.workflow.getHandle(id).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload ? client.options.loadedDataConverter.payloadConverter.fromPayload<JobSpec>(payload) : undefined;
}
