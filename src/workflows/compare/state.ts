// A compare (bake-off): its spec, one row per backend and the query that shows them. Workflow-safe: no Node imports.
import { defineQuery } from '@temporalio/workflow';
import type { JobResult, JobSpec } from '../../protocol/job.js';

export interface CompareSpec {
  compareId: string;
  prompt: string;
  /** One job per backend, resolved at the edge: backend pinned (no fallbacks), own worktree and branch. */
  specs: JobSpec[];
}

export interface CompareRow {
  backend: string;
  jobId: string;
  status: JobResult['status'];
  failureClass?: string;
  failureMessage?: string;
  /** The job's duration, lease wait included. */
  wallMs: number;
  turns?: number;
  filesTouched: string[];
  filesCount: number;
  check: 'passed' | 'failed' | 'none';
  /** The reviewer's last verdict. */
  review: 'approve' | 'revise' | 'none';
  /** A person should look again: check failed, review asked for (or needed) a revision, or the job did not succeed. */
  followUp: boolean;
  tokens: { input: number; output: number };
  costUsd?: number;
  branch?: string;
  /** The commit on `branch` that holds the backend's changes. */
  commit?: string;
  commitError?: string;
}

export type CompareEntryState = 'queued' | 'running' | 'committing' | 'done';

export interface CompareEntry {
  backend: string;
  jobId: string;
  state: CompareEntryState;
  row?: CompareRow;
}

export interface CompareView {
  compareId: string;
  prompt: string;
  status: 'running' | 'done';
  startedAt: number;
  finishedAt?: number;
  backends: CompareEntry[];
}

export interface CommitOutcome {
  commit?: string;
  commitError?: string;
}

export const compareViewQuery = defineQuery<CompareView>('compareView');

export function newCompareView(spec: CompareSpec, now: number): CompareView {
  const backends = spec.specs.map((s): CompareEntry => ({ backend: s.backend, jobId: s.jobId, state: 'queued' }));
  return { compareId: spec.compareId, prompt: spec.prompt, status: 'running', startedAt: now, backends };
}

export function entryOf(view: CompareView, jobId: string): CompareEntry {
  const entry = view.backends.find((e) => e.jobId === jobId);
  if (!entry) throw new Error(`no compare entry for ${jobId}`); // unreachable: the view is built from the spec
  return entry;
}

export function rowOf(job: JobSpec, r: JobResult, commit: CommitOutcome): CompareRow {
  const check = r.check ? (r.check.passed ? 'passed' : 'failed') : 'none';
  const review = r.reviews?.at(-1)?.verdict ?? 'none';
  const row: CompareRow = {
    backend: job.backend,
    jobId: r.jobId,
    status: r.status,
    wallMs: r.durationMs,
    filesTouched: r.filesChanged,
    filesCount: r.filesChanged.length,
    check,
    review,
    followUp: r.status !== 'succeeded' || check === 'failed' || review === 'revise' || r.revised === true,
    tokens: { input: r.tokens.input, output: r.tokens.output },
  };
  if (r.failureClass) row.failureClass = r.failureClass;
  if (r.failureMessage) row.failureMessage = r.failureMessage;
  if (r.turns !== undefined) row.turns = r.turns;
  if (r.costUsd !== undefined) row.costUsd = r.costUsd;
  const branch = r.branch ?? job.branch;
  if (branch) row.branch = branch;
  return { ...row, ...commit };
}
