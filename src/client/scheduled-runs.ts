// A schedule run (`sched-<name>-<time>`) is not a job: it starts one (`job-sched-<name>-<start>`), whose id users need.
import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';
import { scheduledJobId } from '../protocol/ids.js';
import type { ScheduledJobInput } from '../protocol/schedule.js';
import { WORKFLOW } from '../protocol/workflow-types.js';
import { UsageError } from '../support/usage-error.js';
import { isNotFound } from './not-found.js';

/**
 * The job a schedule run started: the child named in its history, else (before its first workflow task) the id the
 * run will give it, `scheduledJobId(prefix, start time)`, exactly as the workflow computes it. Undefined when the
 * run is gone (retention) or is not a schedule run.
 */
export async function jobIdOfRun(client: Client, workflowId: string, runId?: string): Promise<string | undefined> {
  let events;
  try {
    events = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  if (started?.workflowType?.name !== WORKFLOW.scheduledJob) return undefined;
  const child = events.find((e) => e.startChildWorkflowExecutionInitiatedEventAttributes);
  const childId = child?.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
  if (childId) return childId;
  const startMs = optionalTsToMs(events[0]?.eventTime);
  if (startMs === undefined) return undefined;
  const [payload] = started.input?.payloads ?? [];
  const input = payload
    ? client.options.loadedDataConverter.payloadConverter.fromPayload<ScheduledJobInput>(payload)
    : undefined;
  return input?.jobIdPrefix ? scheduledJobId(input.jobIdPrefix, new Date(startMs)) : undefined;
}

/** A looks-like-a-run id (`sched-…`) to the job it started; any other id is returned as given. */
export async function resolveJobId(client: Client, id: string): Promise<{ jobId: string; runId?: string }> {
  if (!id.startsWith('sched-')) return { jobId: id };
  const jobId = await jobIdOfRun(client, id);
  if (!jobId)
    throw new UsageError(
      `job id: "${id}" is not a job and not a schedule run that started one (schedule runs' jobs are job-sched-…)`,
    );
  return { jobId, runId: id };
}
