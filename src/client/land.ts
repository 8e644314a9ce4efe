// `nightshift land`: finished jobs' committed work, checked at the edge, queued on their target's merge queue.
import type { Client } from '@temporalio/client';
import type { Config } from '../config/schema.js';
import { landQueueInput, landRequestOf, type LandRequest, type LandView } from '../protocol/land.js';
import { landRequestSignal, landViewQuery } from '../protocol/signals.js';
import { WORKFLOW } from '../protocol/workflow-types.js';
import { UsageError } from '../support/usage-error.js';
import { resolverSpec } from './job-input.js';
import { jobOutcome, jobSpecOf } from './jobs.js';
import { isNotFound } from './not-found.js';

export interface LandAsk {
  /** The branch to land on; default each job's base branch (where its worktree started). */
  onto?: string;
  /** A backend that gets a conflict as a follow-up job. */
  resolve?: string;
}

export interface Queued {
  jobId: string;
  landId: string;
  target: string;
  /** Names this request's entry in the queue (a job landed before has older entries). */
  requestedAt: number;
}

/** Every job is checked before any is queued: a bad id or an unfinished job queues nothing. */
export async function landJobs(client: Client, config: Config, ids: string[], ask: LandAsk): Promise<Queued[]> {
  if (ids.length === 0) throw new UsageError('job id: missing (e.g. `nightshift land job-1a2b3c4d`)');
  const asks: { repo: string; target: string; request: LandRequest }[] = [];
  for (const id of ids) {
    const spec = await jobSpecOf(client, id).catch((err: unknown) => {
      if (isNotFound(err)) throw new UsageError(`job id: no job "${id}"`);
      throw err;
    });
    const { result, error } = await jobOutcome(client, id);
    if (spec?.jobId !== id) throw new UsageError(`job id: "${id}" is not a job`);
    if (!result) throw new UsageError(`job id: ${id} has no result (${error?.message ?? 'still running'})`);
    const resolver = ask.resolve ? resolverSpec(ask.resolve, spec.repoPath, config) : undefined;
    const asked = landRequestOf(spec, result, Date.now(), resolver);
    if ('refused' in asked) throw new UsageError(`job id: ${asked.refused}`);
    const target = ask.onto ?? result.baseRef;
    if (!target) throw new UsageError(`--onto: missing (job ${id} records no branch it started from)`);
    asks.push({ repo: spec.repoPath, target, request: asked.request });
  }
  const queued: Queued[] = [];
  for (const a of asks) {
    const queue = landQueueInput(a.repo, a.target, config.temporal.taskQueue, config);
    await client.workflow.signalWithStart(WORKFLOW.land, {
      workflowId: queue.landId,
      taskQueue: config.temporal.taskQueue,
      args: [queue],
      signal: landRequestSignal,
      signalArgs: [a.request],
    });
    queued.push({ jobId: a.request.jobId, landId: queue.landId, target: a.target, requestedAt: a.request.requestedAt });
  }
  return queued;
}

/** The queues of this deployment: running ones as they are now, closed ones (last day) as they ended. */
export async function landQueues(client: Client, config: Config, sinceMs = 24 * 3600_000): Promise<LandView[]> {
  const since = new Date(Date.now() - sinceMs).toISOString();
  const query = `WorkflowType = '${WORKFLOW.land}' AND TaskQueue = '${config.temporal.taskQueue}' AND (ExecutionStatus = 'Running' OR CloseTime > '${since}')`;
  const views = new Map<string, LandView>();
  for await (const wf of client.workflow.list({ query })) {
    if (views.has(wf.workflowId)) continue; // the newest run of a queue comes first
    const handle = client.workflow.getHandle(wf.workflowId, wf.runId);
    const view =
      wf.status.name === 'RUNNING' ? await handle.query(landViewQuery) : await handle.result().catch(() => undefined);
    if (view) views.set(wf.workflowId, view as LandView);
  }
  return [...views.values()];
}
