// The activities' contract: what workflows may call (by property name, which histories record) and with what.
// Workflows proxy this interface; src/activities implements it.
import type { LeaseRequestInput } from './capacity.js';
import type { JobSpec } from './job.js';
import type { AgentSummary, CheckOutcome, JobResult, PushedBranch, ReviewVerdict, WorkspaceInfo } from './result.js';

export interface RunAgentInput {
  spec: JobSpec;
  workspace: WorkspaceInfo;
  /** A later backend exists: a rate limit beyond spec.failoverMaxWaitSeconds ends this backend's attempts. */
  canFailover?: boolean;
  /** Names the raw output file: `<label>-attempt-N.jsonl` (follow-ups: fix-1, revise-1, review-1). */
  label?: string;
}

export interface CheckInput {
  command: string[];
  cwd: string;
  jobDir: string;
  timeoutSeconds: number;
}

export interface CommitBranchInput {
  /** The job's worktree. */
  cwd: string;
  /** The job's filesChanged (relative to the worktree). */
  files: string[];
  message: string;
}

export interface PublishBranchInput {
  /** The job's workspace: only one with an `origin` (a URL repo) is pushed. */
  workspace: WorkspaceInfo;
  /** The job's filesChanged (relative to the worktree), committed before the push. */
  files: string[];
  message: string;
}

export interface ReviewRequest {
  spec: JobSpec;
  workspace: WorkspaceInfo;
  round: number;
}

export interface ReviewSetup {
  prompt: string;
  scratch: WorkspaceInfo;
}

export interface VerdictInput {
  text: string;
  round: number;
  backend: string;
}

/** A running job's lease, found when the capacity singleton starts from scratch: held (grantedAt) or awaited. */
export interface RunningLease extends LeaseRequestInput {
  grantedAt?: number;
}

export interface Activities {
  requestLease(req: LeaseRequestInput): Promise<void>;
  closedWorkflows(ids: string[]): Promise<string[]>;
  runningLeases(): Promise<RunningLease[]>;
  /** Host ids polling the shared queue now (a lost host may linger until Temporal forgets its poller). */
  liveHosts(): Promise<string[]>;
  prepareWorkspace(spec: JobSpec): Promise<WorkspaceInfo>;
  runAgent(input: RunAgentInput): Promise<AgentSummary>;
  runCheck(input: CheckInput): Promise<CheckOutcome>;
  changedFiles(ws: WorkspaceInfo): Promise<string[]>;
  prepareReview(input: ReviewRequest): Promise<ReviewSetup>;
  parseVerdict(input: VerdictInput): Promise<ReviewVerdict>;
  commitBranch(input: CommitBranchInput): Promise<string>;
  /** A URL repo's job: commit the files on its branch and push it to the origin; undefined for a local repo. */
  publishBranch(input: PublishBranchInput): Promise<PushedBranch | undefined>;
  recordJob(result: JobResult): Promise<void>;
}

/** Activity type names as histories record them (tsc checks each against the interface). */
export const ACTIVITY: { readonly [K in keyof Activities]: K } = {
  requestLease: 'requestLease',
  closedWorkflows: 'closedWorkflows',
  runningLeases: 'runningLeases',
  liveHosts: 'liveHosts',
  prepareWorkspace: 'prepareWorkspace',
  runAgent: 'runAgent',
  runCheck: 'runCheck',
  changedFiles: 'changedFiles',
  prepareReview: 'prepareReview',
  parseVerdict: 'parseVerdict',
  commitBranch: 'commitBranch',
  publishBranch: 'publishBranch',
  recordJob: 'recordJob',
};
