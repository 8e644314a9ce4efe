// Recent jobs on this deployment's queue from Temporal's visibility: `nightshift list` and `GET /api/jobs`.
import type { Client } from '@temporalio/client';
import type { Config } from '../config/schema.js';
import { LANES } from '../protocol/job.js';
import { SA } from '../protocol/search-attributes.js';
import { WORKFLOW } from '../protocol/workflow-types.js';
import { UsageError } from '../support/usage-error.js';
import { jobPrompt } from './jobs.js';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'no_op', 'cancelled'] as const;

export interface JobRow {
  jobId: string;
  status: string;
  backend: string;
  kind: string;
  lane: string;
  startTime: string;
  closeTime?: string;
  /** Seconds from start to close (or to now, while running). */
  durationSeconds: number;
  /** The prompt's first line (at most 200 characters). */
  prompt?: string;
}

export interface JobFilter {
  status?: string;
  backend?: string;
  kind?: string;
  lane?: string;
  /** Started at or after (epoch ms). */
  since?: number;
  /** Started before (epoch ms): the next page's cursor. */
  before?: number;
  limit: number;
}

/** Visibility values go into a query string: only plain names (a quote would end the literal). */
const PLAIN = /^[\w.-]{1,100}$/;

function clauses(config: Config, f: JobFilter): string[] {
  const out = [`WorkflowType = '${WORKFLOW.job}'`, `TaskQueue = '${config.temporal.taskQueue}'`];
  if (f.status && !(JOB_STATUSES as readonly string[]).includes(f.status))
    throw new UsageError(`status: unknown status "${f.status}" (one of: ${JOB_STATUSES.join(', ')})`);
  if (f.lane && !(LANES as readonly string[]).includes(f.lane))
    throw new UsageError(`lane: unknown lane "${f.lane}" (one of: ${LANES.join(', ')})`);
  const attrs = [
    ['status', SA.status.name, f.status],
    ['backend', SA.backend.name, f.backend],
    ['kind', SA.kind.name, f.kind],
    ['lane', SA.lane.name, f.lane],
  ] as const;
  for (const [field, attr, value] of attrs) {
    if (value === undefined) continue;
    if (!PLAIN.test(value)) throw new UsageError(`${field}: "${value}" is not a plain name`);
    out.push(`${attr} = '${value}'`);
  }
  if (f.since !== undefined) out.push(`StartTime >= '${new Date(f.since).toISOString()}'`);
  if (f.before !== undefined) out.push(`StartTime < '${new Date(f.before).toISOString()}'`);
  return out;
}

/** Newest first; `more` when another page exists (its cursor: the last row's startTime). */
export async function listJobs(
  client: Client,
  config: Config,
  f: JobFilter,
): Promise<{ rows: JobRow[]; more: boolean }> {
  const rows: JobRow[] = [];
  let more = false;
  for await (const wf of client.workflow.list({ query: clauses(config, f).join(' AND '), pageSize: f.limit + 1 })) {
    if (rows.length === f.limit) {
      more = true;
      break;
    }
    const sa = wf.typedSearchAttributes;
    const end = wf.closeTime?.getTime() ?? Date.now();
    rows.push({
      jobId: wf.workflowId,
      status: sa.get(SA.status) ?? wf.status.name.toLowerCase(),
      backend: sa.get(SA.backend) ?? '',
      kind: sa.get(SA.kind) ?? '',
      lane: sa.get(SA.lane) ?? '',
      startTime: wf.startTime.toISOString(),
      ...(wf.closeTime ? { closeTime: wf.closeTime.toISOString() } : {}),
      durationSeconds: Math.round((end - wf.startTime.getTime()) / 1000),
    });
  }
  // Visibility does not hold the prompt: read each listed job's start event (one call per row, in parallel).
  const prompts = await Promise.all(rows.map((r) => jobPrompt(client, r.jobId).catch(() => undefined)));
  rows.forEach((r, i) => (r.prompt = (prompts[i] ?? '').split('\n')[0]?.slice(0, 200) ?? ''));
  return { rows, more };
}
