// A job as every process sees it: its spec (resolved at the edge), its steps and its live progress.

export const LANES = ['operator', 'interactive', 'background'] as const;
export type Lane = (typeof LANES)[number];

export const WORKSPACE_MODES = ['auto', 'worktree', 'in-place', 'none'] as const;
export type WorkspaceMode = (typeof WORKSPACE_MODES)[number];

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'no_op' | 'cancelled';

export type EndedStatus = Exclude<JobStatus, 'queued' | 'running'>;

/** Delivery retries per webhook (`notify.retry`): carried in inputs, since workflows cannot read config. */
export interface NotifyRetry {
  maxAttempts: number;
  initialSeconds: number;
  timeoutSeconds: number;
}

/** What a job's spec carries when the config has a job.ended webhook for its lane. */
export interface JobNotify {
  retry: NotifyRetry;
  /** Only these statuses notify (every status when absent): the union of the webhooks' filters. */
  statuses?: EndedStatus[];
}

export type JobStep =
  | 'queued'
  | 'waiting-for-lease'
  | 'preparing-workspace'
  | 'running-agent'
  | 'running-check'
  | 'fixing'
  | 'reviewing'
  | 'revising'
  | 'collecting-result'
  | 'releasing-lease'
  | 'done';

/** Everything a job workflow needs, resolved at the edge (CLI/client) from config and flags. */
export interface JobSpec {
  jobId: string;
  /** The job whose agent submitted this one (through `nightshift mcp`): a brain's fan-out. */
  parentJobId?: string;
  /** `--mcp`: the agent mounts `nightshift mcp` and may hand work to the fleet (a "brain" job). */
  mcp?: boolean;
  prompt: string;
  kind: string;
  backend: string;
  lane: Lane;
  repoPath: string;
  workspaceMode: WorkspaceMode;
  check?: string[];
  model?: string;
  timeoutSeconds: number;
  hangTimeoutSeconds: number;
  heartbeatSeconds: number;
  maxAttempts: number;
  estimateTokens: number;
  /** Stop an agent run whose input+output tokens pass this (`--max-tokens`): BudgetExceeded, not retried. */
  maxTokens?: number;
  /** Stop an agent run whose reported cost (USD) passes this (`--max-cost`), where the CLI reports cost. */
  maxCostUsd?: number;
  resumeSessionId?: string;
  /** Backends to move to, in order, when `backend` is rate-limited beyond `failoverMaxWaitSeconds` or out of quota. */
  fallbacks: string[];
  failoverMaxWaitSeconds: number;
  /** The capacity singleton this job leases from. */
  capacityWorkflowId: string;
  /** A fixed workspace reused across jobs (warm sessions, chains): a git worktree on `branch` for a git repo. */
  workspacePath?: string;
  branch?: string;
  /** On a failing check, send its output to the same agent session, up to this many rounds. */
  fixRounds?: number;
  /** A host that stops polling for this long is gone: the job prepares its workspace on another (fleet). */
  hostLostSeconds?: number;
  /** Prefer this worker host (a session's or chain's earlier jobs ran there); another when it is gone. */
  host?: string;
  /** A new worktree starts from this commit instead of the repo's HEAD (a landing's conflict resolver). */
  startFrom?: string;
  /** …and merges this commit in without committing, leaving its conflicts for the agent to resolve. */
  mergeRef?: string;
  /** Land the job's work when it succeeds (`submit --land`): on `target` (default: the branch it started from). */
  land?: { target?: string; resolver?: JobSpec };
  /** A second model reviews the task and the diff; on "revise" the author gets the review, up to `rounds` times. */
  review?: { backend: string; rounds: number; model?: string };
  /** `off`: run unconfined (`--sandbox off`), only where the worker's config has `sandbox.allowJobOff`. */
  sandbox?: 'off';
  /** Webhooks want this job's end (`notify.webhooks` with job.ended): the notify workflow's retries and filter. */
  notify?: JobNotify;
  /** `--backend auto` (or a route of `auto`): the backend the ledger's figures chose at submit, and why. */
  route?: JobRoute;
}

/** What `auto` routing chose for a job, as a human line (`auto → codex: 92% first-pass over 48 jobs, …`). */
export interface JobRoute {
  chosen: string;
  reason: string;
}

/** One (kind, backend)'s record over the routing window, from the ledger: what `auto` ranks by. */
export interface RouteFigures {
  kind: string;
  backend: string;
  jobs: number;
  succeeded: number;
  cancelled: number;
  /** Succeeded with no revision round. */
  firstPass: number;
  /** Succeeded only after a revision. */
  revised: number;
  /** Every job's cost (failures too) over the successes; null when no cost is known or nothing succeeded. */
  costPerSuccess: number | null;
  p50DurationMs: number | null;
}
