// The activities' contract: what workflows may call (by property name, which histories record) and with what.
// Workflows proxy this interface; src/activities implements it.
import type { LeaseGrant, LeaseReleaseInput, LeaseRequestInput } from './capacity.js';
import type { JobSpec } from './job.js';
import type { DeliverInput, DigestFigures, Notification, NotifyTarget } from './notify.js';
import type {
  LandAdvanced,
  LandAdvanceInput,
  LandPrepared,
  LandPrepareInput,
  LandEnqueueInput,
  LandRecord,
} from './land.js';
import type {
  AgentSummary,
  CheckOutcome,
  JobResult,
  PushedBranch,
  ReviewVerdict,
  WorkspaceFinish,
  WorkspaceInfo,
} from './result.js';

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
  /** The job's `--sandbox off` (honoured where the worker's config allows it). */
  sandbox?: 'off';
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

export interface FinishWorkspaceInput {
  workspace: WorkspaceInfo;
  jobId: string;
  /** The task's first line: the commit's subject. */
  title: string;
  /** The job failed (or was cancelled): its work goes on `<branch>-failed`, and `keepWorktrees: failed` keeps it. */
  failed: boolean;
  /** A fixed workspace (a session's, a chain's): committed on its own branch, never removed. */
  fixed: boolean;
  /** Push the commit to the origin (a URL repo whose work passed its check and review). */
  push: boolean;
  /** Files the engine wrote (instructions), not part of the job's work. */
  exclude: string[];
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
  /** A job's release, signalled by the worker (a local activity: no signal events, no extra workflow task). */
  releaseLease(input: { capacityWorkflowId: string; release: LeaseReleaseInput }): Promise<void>;
  /** The singleton's grants, signalled by the worker; returns the ids of jobs that are gone (their slot is freed). */
  grantLeases(grants: LeaseGrant[]): Promise<string[]>;
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
  /** The end of a job's worktree: commit, push (approved URL work), remove per `jobs.keepWorktrees`. */
  finishWorkspace(input: FinishWorkspaceInput): Promise<WorkspaceFinish>;
  recordJob(result: JobResult): Promise<void>;
  /** Merge queue: the job's work on the target's tip in a scratch worktree (rebased or merged), or the conflict. */
  prepareLanding(input: LandPrepareInput): Promise<LandPrepared>;
  /** Moves the target from tip to the landed result (compare-and-swap; a URL repo's origin by push). */
  advanceTarget(input: LandAdvanceInput): Promise<LandAdvanced>;
  removeScratch(scratch: string): Promise<void>;
  recordLanding(record: LandRecord): Promise<void>;
  /** A job that lands when it succeeds (`submit --land`): its request joins its target's queue. */
  enqueueLanding(input: LandEnqueueInput): Promise<string>;
  /** The worker's webhooks that want this notification (by index and URL hash: never the URL or headers). */
  notifyTargets(notification: Notification): Promise<NotifyTarget[]>;
  /** One POST to one webhook; throws on a non-2xx or no answer (the workflow's retry policy retries). */
  deliverNotification(input: DeliverInput): Promise<void>;
  /** The daily digest's figures over jobs finished in [since, until) (epoch ms). */
  digestFigures(window: { since: number; until: number }): Promise<DigestFigures>;
}

/** Activity type names as histories record them (tsc checks each against the interface). */
export const ACTIVITY: { readonly [K in keyof Activities]: K } = {
  requestLease: 'requestLease',
  releaseLease: 'releaseLease',
  grantLeases: 'grantLeases',
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
  finishWorkspace: 'finishWorkspace',
  recordJob: 'recordJob',
  prepareLanding: 'prepareLanding',
  advanceTarget: 'advanceTarget',
  removeScratch: 'removeScratch',
  recordLanding: 'recordLanding',
  enqueueLanding: 'enqueueLanding',
  notifyTargets: 'notifyTargets',
  deliverNotification: 'deliverNotification',
  digestFigures: 'digestFigures',
};
