// A chain's contract: its spec (resolved at the edge from the chain file), per-step records and its view.
import type { JobSpec } from './job.js';
import type { JobResult } from './result.js';
import type { TokenUsage } from './tokens.js';

/** How a workflow ended when it could not say so itself: cancelled, terminated or timed out (read from Temporal). */
export type EndedWithoutResult = 'cancelled' | 'terminated' | 'timed-out';

export interface ChainStepSpec {
  id: string;
  /** The step's job as resolved from the chain file; `prompt` holds the template, jobId/workspace are set per run. */
  job: JobSpec;
  onFailure: 'stop' | 'continue';
  /** Reruns of a failed step, each a fresh child job (`<chainId>-<stepId>-2`, …). */
  retries: number;
}

export type ChainNode = { step: ChainStepSpec } | { parallel: ChainStepSpec[] };

export interface ChainSpec {
  chainId: string;
  name: string;
  task: string;
  /** The chain's workspaces live under `<dataDir>/chains/<chainId>/`; '.' = the running host's data dir. */
  dataDir: string;
  nodes: ChainNode[];
}

export type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface StepFailure {
  jobId: string;
  status: JobResult['status'];
  failureClass?: string;
  failureMessage?: string;
}

export interface StepRecord {
  id: string;
  /** Set for the steps of a `parallel:` block (each in its own worktree). */
  parallel: boolean;
  state: StepState;
  /** The latest child job; every child job of this step, in order. */
  jobId?: string;
  jobIds: string[];
  attempts: number;
  startedAt?: number;
  durationMs?: number;
  /** Summed over every attempt, failed ones included. */
  tokens: TokenUsage;
  /** Earlier (and, for a failed step, the last) failed attempts. */
  failures: StepFailure[];
  /** The last attempt's JobResult; `result.finalText` is the step's output. */
  result?: JobResult;
}

export interface ChainView {
  chainId: string;
  name: string;
  status: 'running' | 'succeeded' | 'failed' | EndedWithoutResult;
  workspace: string;
  branch: string;
  startedAt: number;
  finishedAt?: number;
  tokens: TokenUsage;
  steps: StepRecord[];
}
