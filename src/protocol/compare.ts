// A compare's (bake-off's) contract: its spec, one row per backend and its view.
import type { EndedWithoutResult } from './chain.js';
import type { JobSpec } from './job.js';
import type { JobResult } from './result.js';

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

export type CompareEntryState = 'queued' | 'running' | 'committing' | 'done' | 'cancelled';

export interface CompareEntry {
  backend: string;
  jobId: string;
  state: CompareEntryState;
  row?: CompareRow;
}

export interface CompareView {
  compareId: string;
  prompt: string;
  status: 'running' | 'done' | EndedWithoutResult;
  startedAt: number;
  finishedAt?: number;
  backends: CompareEntry[];
}

export interface CommitOutcome {
  commit?: string;
  commitError?: string;
}
