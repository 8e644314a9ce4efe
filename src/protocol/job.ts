// Types shared by workflows, activities and the CLI. No runtime imports: workflow-safe.

export const LANES = ['operator', 'interactive', 'background'] as const;
export type Lane = (typeof LANES)[number];

export const WORKSPACE_MODES = ['auto', 'worktree', 'in-place', 'none'] as const;
export type WorkspaceMode = (typeof WORKSPACE_MODES)[number];

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'no_op' | 'cancelled';

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
  /** A second model reviews the task and the diff; on "revise" the author gets the review, up to `rounds` times. */
  review?: { backend: string; rounds: number; model?: string };
}

export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** What one agent run produced; bounded, safe to put in a Temporal payload. */
export interface AgentSummary {
  backend: string;
  sessionId?: string;
  finalText: string;
  tokens: TokenUsage;
  costUsd?: number;
  turns: number;
  toolCalls: number;
  filesTouched: string[];
  durationMs: number;
  exitCode?: number;
  outputFile: string;
  spawnedAt: number;
  exitedAt: number;
  /** Which activity attempt produced this run (1 = first). */
  attempt: number;
  /** An instructions file the engine wrote into the workspace (not a change by the agent). */
  instructionsWritten?: string;
}

export interface ReviewVerdict {
  round: number;
  backend: string;
  verdict: 'approve' | 'revise';
  reasons: string[];
}

/** One backend's part in a job: the audit trail of routing and failover. */
export interface BackendAttempt {
  backend: string;
  outcome: 'succeeded' | 'failed' | 'skipped';
  failureClass?: string;
  /** Known to be limited until (epoch ms): why it was skipped or left. */
  limitedUntil?: number;
}

export interface WorkspaceInfo {
  path: string;
  mode: Exclude<WorkspaceMode, 'auto'>;
  branch?: string;
  jobDir: string;
  baseline: string[];
}

export interface CheckOutcome {
  command: string[];
  exitCode: number;
  passed: boolean;
  durationMs: number;
  outputTail: string;
}

export interface JobResult {
  jobId: string;
  status: Exclude<JobStatus, 'queued' | 'running'>;
  backend: string;
  kind: string;
  lane: Lane;
  finalText: string;
  sessionId?: string;
  tokens: TokenUsage;
  costUsd?: number;
  /** Model turns over the job's agent runs (fix, revision and review runs included); absent in older results. */
  turns?: number;
  durationMs: number;
  leaseWaitMs: number;
  filesChanged: string[];
  workspace?: string;
  branch?: string;
  check?: CheckOutcome;
  failureClass?: string;
  failureMessage?: string;
  attempts: number;
  /** Backends tried, skipped or left, in order (failover). */
  backends: BackendAttempt[];
  /** Follow-up rounds after a failing check (0 when the first check passed). */
  fixRounds?: number;
  /** Every review verdict, in order; `revised` when approval came only after a revision. */
  reviews?: ReviewVerdict[];
  revised?: boolean;
  /** Set by a warm session when the agent's session could not be resumed and the job ran in a fresh one. */
  freshSession?: boolean;
  /** Set when a coding job changed nothing but its agent said why (not counted as no_op). */
  noChangeReason?: string;
  /** Epoch ms of each stage, for latency figures and the audit trail. */
  timeline: { queuedAt: number; leaseGrantedAt?: number; agentSpawnedAt?: number; agentExitedAt?: number; finishedAt: number };
}

export interface JobProgress {
  jobId: string;
  step: JobStep;
  status: JobStatus;
  lane: Lane;
  backend: string;
  kind: string;
  queuedAt: number;
  leaseGrantedAt?: number;
  result?: JobResult;
}

export const emptyTokens = (): TokenUsage => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });

/** Tokens charged to the capacity budget: cache reads are excluded (they do not count toward rate limits). */
export const chargedTokens = (t: TokenUsage): number => t.input + t.output + t.cacheWrite;
