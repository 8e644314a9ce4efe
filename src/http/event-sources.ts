// What the event hub reads besides the capacity view: a running job's live state, backends that became limited or
// auth-broken, and jobs that closed since the last look (visibility), for jobs that ended between two polls.
import type { Client } from '@temporalio/client';
import type { Config } from '../config/schema.js';
import { jobProgress } from '../client/jobs.js';
import { liveDetails } from '../client/job-live.js';
import type { CapacityView } from '../protocol/capacity.js';
import { SA } from '../protocol/search-attributes.js';
import { WORKFLOW } from '../protocol/workflow-types.js';

export interface JobLive {
  jobId: string;
  step: string;
  backend: string;
  lane: string;
  host?: string;
  /** The agent's heartbeat: attempt, turns, tool calls, tokens so far. */
  live?: unknown;
}

export async function jobLive(client: Client, jobId: string): Promise<JobLive> {
  const [p, live] = await Promise.all([jobProgress(client, jobId), liveDetails(client, jobId)]);
  return {
    jobId,
    step: p.step,
    backend: p.backend,
    lane: p.lane,
    ...(p.host ? { host: p.host } : {}),
    ...(live ? { live } : {}),
  };
}

/** `backend.limited` for a new or later reset time; `backend.authBroken` for a new mark. */
export function backendChanges(before: CapacityView | undefined, now: CapacityView): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [backend, until] of Object.entries(now.limitedBackends))
    if ((before?.limitedBackends[backend] ?? 0) < until) out.push(['backend.limited', { backend, until }]);
  for (const [backend, mark] of Object.entries(now.authBroken))
    if (before?.authBroken[backend]?.since !== mark.since) out.push(['backend.authBroken', { backend, ...mark }]);
  return out;
}

/** Ended ids are remembered this long (the dedup between the result long-poll and the scan). */
const REMEMBER_MS = 10 * 60_000;

export class EndedScan {
  private readonly ended = new Map<string, number>();
  private since = Date.now();

  constructor(
    private readonly client: Client,
    private readonly config: Config,
  ) {}

  seen(jobId: string): boolean {
    return this.ended.has(jobId);
  }

  mark(jobId: string): void {
    this.ended.set(jobId, Date.now());
  }

  /** Jobs of this queue closed since the last scan (2 s of overlap: visibility lags a little) and not seen yet. */
  async scan(): Promise<{ jobId: string; status: string }[]> {
    const from = this.since - 2000;
    this.since = Date.now();
    const query = [
      `WorkflowType = '${WORKFLOW.job}'`,
      `TaskQueue = '${this.config.temporal.taskQueue}'`,
      `CloseTime >= '${new Date(from).toISOString()}'`,
    ].join(' AND ');
    const out: { jobId: string; status: string }[] = [];
    for await (const wf of this.client.workflow.list({ query })) {
      if (this.ended.has(wf.workflowId)) continue;
      out.push({
        jobId: wf.workflowId,
        status: wf.typedSearchAttributes.get(SA.status) ?? wf.status.name.toLowerCase(),
      });
    }
    for (const [id, at] of this.ended) if (at < Date.now() - REMEMBER_MS) this.ended.delete(id);
    return out;
  }
}
