// The capacity singleton's activities: asking for a lease, and what the singleton learns about jobs.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { capacitySettings } from '../config/capacity-settings.js';
import type { RunningLease } from '../protocol/activities.js';
import { capacityWorkflowId } from '../protocol/ids.js';
import type { LeaseGrant, LeaseReleaseInput, LeaseRequestInput } from '../protocol/capacity.js';
import type { JobProgress } from '../protocol/result.js';
import { leaseGrantedSignal, progressQuery, releaseLeaseSignal, requestLeaseSignal } from '../protocol/signals.js';
import { logger } from '../support/logger.js';
import type { ActivityDeps } from './deps.js';
import { WORKFLOW } from '../protocol/workflow-types.js';

const log = logger('lease');

/** A workflow cannot signal-with-start, so the job asks through this activity (starting the singleton if needed). */
export function requestLeaseWith({ client, config }: ActivityDeps) {
  return async (req: LeaseRequestInput): Promise<void> => {
    await client.workflow.signalWithStart(WORKFLOW.capacity, {
      workflowId: capacityWorkflowId(config.temporal.taskQueue),
      taskQueue: config.temporal.taskQueue,
      args: [{ settings: capacitySettings(config) }],
      signal: requestLeaseSignal,
      signalArgs: [req],
    });
  };
}

/** A missing singleton is not the job's failure (the next request starts one; nothing is held there). */
export function releaseLeaseWith({ client }: ActivityDeps) {
  return async (input: { capacityWorkflowId: string; release: LeaseReleaseInput }): Promise<void> => {
    try {
      await client.workflow.getHandle(input.capacityWorkflowId).signal(releaseLeaseSignal, input.release);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      log.warn({ jobId: input.release.jobId }, 'no capacity singleton to release to');
    }
  };
}

/** One signal per grant, in parallel; a job that closed meanwhile is reported so its slot is freed. */
export function grantLeasesWith({ client }: ActivityDeps) {
  return async (grants: LeaseGrant[]): Promise<string[]> => {
    const sent = await Promise.allSettled(
      grants.map((g) => client.workflow.getHandle(g.jobId).signal(leaseGrantedSignal, g)),
    );
    const gone = grants.filter((_, i) => {
      const r = sent[i];
      return r?.status === 'rejected' && r.reason instanceof WorkflowNotFoundError;
    });
    const failed = sent.find(
      (r): r is PromiseRejectedResult => r.status === 'rejected' && !(r.reason instanceof WorkflowNotFoundError),
    );
    if (failed) throw failed.reason; // retried: a duplicate grant is a no-op for a job already granted
    return gone.map((g) => g.jobId);
  };
}

/** Which of these workflows are no longer running (crashed, terminated, timed out, finished or unknown). */
export function closedWorkflowsWith({ client }: ActivityDeps) {
  return async (ids: string[]): Promise<string[]> => {
    const closed: string[] = [];
    for (const id of ids) {
      try {
        const d = await client.workflow.getHandle(id).describe();
        if (d.status.name !== 'RUNNING') closed.push(id);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) closed.push(id);
        else throw err;
      }
    }
    return closed;
  };
}

/**
 * The leases of this queue's running jobs, from each job's own progress: held (a grant time) or awaited.
 * A capacity singleton started from scratch (e.g. after a terminate) adopts them instead of forgetting them.
 */
export function runningLeasesWith({ client, config }: ActivityDeps) {
  return async (): Promise<RunningLease[]> => {
    const clauses = [
      `WorkflowType = '${WORKFLOW.job}'`,
      `TaskQueue = '${config.temporal.taskQueue}'`,
      `ExecutionStatus = 'Running'`,
    ];
    const leases: RunningLease[] = [];
    for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) {
      const p = await progressOf(client, wf.workflowId);
      if (!p || (p.status !== 'running' && p.step !== 'waiting-for-lease')) continue;
      const estimate = config.estimates[p.kind] ?? 0; // the job's own estimate is not in its progress
      const lease: RunningLease = { jobId: p.jobId, lane: p.lane, kind: p.kind, estimate, requestedAt: p.queuedAt };
      if (p.status === 'running' && p.leaseGrantedAt !== undefined) lease.grantedAt = p.leaseGrantedAt;
      leases.push(lease);
    }
    return leases;
  };
}

/** A job that closed (or cannot answer) between the listing and the query holds nothing. */
async function progressOf(client: Client, jobId: string): Promise<JobProgress | undefined> {
  try {
    return await client.workflow.getHandle(jobId).query(progressQuery);
  } catch (err) {
    log.warn({ jobId, error: String(err) }, 'running job did not answer its progress query; not adopted');
    return undefined;
  }
}
