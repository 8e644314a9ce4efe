// What a job produced: agent runs, checks, reviews, the routing trail and the final JobResult. Bounded, payload-safe.
import type { JobRoute, JobStatus, JobStep, Lane, WorkspaceMode } from './job.js';
import type { TokenUsage } from './tokens.js';

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
  /** How the CLI was confined: bubblewrap, or not at all (absent in older records). */
  sandbox?: 'bwrap' | 'off';
  /** Paths outside the workspace the sandbox refused, as the CLI's output reported them. */
  refusedWrites?: string[];
  /** The CLI's usage figures that were not believed (`usage rejected: costUsd=-1000000`): counted as 0 / unknown. */
  usageRejected?: string[];
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
  /** Files already changed when the job began (a shared or in-place workspace); names only. */
  baseline: string[];
  /** The baseline's content hashes, kept in a file in the job dir (absent in older records: names only). */
  baselineFile?: string;
  /** The worker host that made it, and the task queue that reaches only that host (absent in older records). */
  host?: string;
  hostQueue?: string;
  /** A repo given by URL: where the job's branch is pushed when the job ends. */
  origin?: string;
  /** The branch (or, detached, the commit) the worktree started from: where `land` puts the job's work by default. */
  baseRef?: string;
  /** A fresh worktree's setup command (`repos[].setup`), run before the agent. */
  setup?: SetupOutcome;
  /** The sandbox the job's agent and check run in on that host (absent in older records). */
  sandbox?: 'bwrap' | 'off';
  /** A worktree's own git dir and the repo's common dir as git reported them when the worktree was made. */
  gitDir?: string;
  commonDir?: string;
}

/** A fresh worktree's bootstrap (e.g. `npm ci`): what ran, how long, how it ended. */
export interface SetupOutcome {
  command: string[];
  exitCode: number;
  durationMs: number;
  outputTail: string;
  /** How the setup was confined (absent in older records): bubblewrap, or `off` (its environment cut all the same). */
  sandbox?: 'bwrap' | 'off';
}

/** A job's work as committed on its branch when the job ended (failed jobs: on `<branch>-failed`). */
export interface JobCommit {
  branch: string;
  sha: string;
  /** The commit the job's work sits on (its parent). */
  base: string;
  files: number;
  insertions: number;
  deletions: number;
  failed: boolean;
}

/** What the end of a job did to its workspace: the commit, and whether the worktree directory is gone. */
export interface WorkspaceFinish {
  commit?: JobCommit;
  /** The worktree directory was removed (the branch keeps the work). */
  removed: boolean;
  /** The paths committed (a failed job's result lists them as its files changed). */
  files?: string[];
  pushed?: PushedBranch;
  /** Why the work could not be committed (the job's outcome stands; this is reported). */
  error?: string;
  /** Unsandboxed: files of the source repo's own checkout the job changed (absolute paths). */
  outsideWrites?: string[];
  /** The workspace's git metadata the agent changed (`.git`, HEAD, …): its work was not committed. */
  tampered?: string[];
}

/** A job that left a host: which host, why, and where it went on (the audit trail of a fleet). */
export interface HostMove {
  from: string;
  to?: string;
  /** The failure that showed the host gone: `HostLost` (no poller) or a heartbeat timeout; its message. */
  reason: string;
  /** The step that was running when the host was lost. */
  step: JobStep;
  at: number;
}

/** A URL repo's branch after the job: pushed to its origin. */
export interface PushedBranch {
  origin: string;
  branch: string;
  commit: string;
}

export interface CheckOutcome {
  command: string[];
  exitCode: number;
  passed: boolean;
  durationMs: number;
  outputTail: string;
  /** How the check was confined (absent in older records). */
  sandbox?: 'bwrap' | 'off';
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
  /** Why the session was fresh: e.g. the job moved to a host that does not hold the agent's session. */
  freshSessionReason?: string;
  /** Set when a coding job changed nothing but its agent said why (not counted as no_op). */
  noChangeReason?: string;
  /** The host that ran the job's last workspace; every host it left, in order. */
  host?: string;
  moves?: HostMove[];
  /** A URL repo: the job's branch as pushed to the origin. */
  pushed?: PushedBranch;
  /** The job's work committed on its branch (absent: no git worktree, or nothing changed). */
  commit?: JobCommit;
  /** The job's worktree directory was removed after the commit (`jobs.keepWorktrees`). */
  worktreeRemoved?: boolean;
  /** Why the job's work could not be committed. */
  commitError?: string;
  /** Where `nightshift land` puts the work by default: the branch the worktree started from. */
  baseRef?: string;
  setup?: SetupOutcome;
  /** `submit --land`: the merge queue (workflow id) the job joined, or `not queued: <why>`. */
  landQueue?: string;
  /** How the job's agent (else its check) was confined: bubblewrap, or `off` (absent in older results). */
  sandbox?: 'bwrap' | 'off';
  /** Paths outside the workspace the sandbox refused the agent, as its CLI reported them. */
  refusedWrites?: string[];
  /** The agent's usage reports that were rejected (negative, non-finite, absurd): not in tokens, cost or stats. */
  usageRejected?: string[];
  /** Unsandboxed: files of the source repo's own checkout that changed while the job ran (`git status`). */
  outsideWrites?: string[];
  /** The workspace's git metadata the agent changed (`.git`, HEAD, commondir, the repo's config or hooks): not committed. */
  tampered?: string[];
  /** `auto` routing: the backend chosen at submit, and why (absent for a pinned or routed backend). */
  route?: JobRoute;
  /** Epoch ms of each stage, for latency figures and the audit trail. */
  timeline: {
    queuedAt: number;
    leaseGrantedAt?: number;
    agentSpawnedAt?: number;
    agentExitedAt?: number;
    finishedAt: number;
  };
}

/** A job's live state (the `progress` query): its step, and its result once it has one. */
export interface JobProgress {
  jobId: string;
  step: JobStep;
  status: JobStatus;
  lane: Lane;
  backend: string;
  kind: string;
  queuedAt: number;
  leaseGrantedAt?: number;
  /** The worker host holding the job's workspace now (fleet). */
  host?: string;
  result?: JobResult;
}
