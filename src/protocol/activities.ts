// The activities' contract: what workflows may call (by property name, which histories record) and with what.
// Workflows proxy this interface; src/activities implements it.
import type { LeaseRequestInput } from './capacity.js';
import type { JobSpec } from './job.js';
import type { AgentSummary, CheckOutcome, JobResult, ReviewVerdict, WorkspaceInfo } from './result.js';

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
  prepareWorkspace(spec: JobSpec): Promise<WorkspaceInfo>;
  runAgent(input: RunAgentInput): Promise<AgentSummary>;
  runCheck(input: CheckInput): Promise<CheckOutcome>;
  changedFiles(ws: WorkspaceInfo): Promise<string[]>;
  prepareReview(input: ReviewRequest): Promise<ReviewSetup>;
  parseVerdict(input: VerdictInput): Promise<ReviewVerdict>;
  commitBranch(input: CommitBranchInput): Promise<string>;
  recordJob(result: JobResult): Promise<void>;
}

/** Activity type names as histories record them (tsc checks each against the interface). */
export const ACTIVITY: { readonly [K in keyof Activities]: K } = {
  requestLease: 'requestLease',
  closedWorkflows: 'closedWorkflows',
  runningLeases: 'runningLeases',
  prepareWorkspace: 'prepareWorkspace',
  runAgent: 'runAgent',
  runCheck: 'runCheck',
  changedFiles: 'changedFiles',
  prepareReview: 'prepareReview',
  parseVerdict: 'parseVerdict',
  commitBranch: 'commitBranch',
  recordJob: 'recordJob',
};
