// A job's work on the host that holds its workspace: agent (with failover) → check/fix/review rounds → changes.
import { upsertSearchAttributes } from '@temporalio/workflow';
import { SA } from '../../protocol/search-attributes.js';
import type {
  AgentSummary,
  BackendAttempt,
  CheckOutcome,
  HostMove,
  JobProgress,
  PushedBranch,
  WorkspaceInfo,
} from '../../protocol/result.js';
import type { JobSpec, JobStep } from '../../protocol/job.js';
import type { LeaseGrant } from '../../protocol/capacity.js';
import type { JobActivities } from './activities.js';
import { runWithFailover } from './failover.js';
import { markAuthBroken, markLimited } from './lease.js';
import { verifyAndReview, type RoundsOutcome } from './rounds.js';

/** Everything a job has gathered so far: what the result is built from, even when the job fails midway. */
export interface JobRun {
  spec: JobSpec;
  progress: JobProgress;
  grant?: LeaseGrant;
  workspace?: WorkspaceInfo;
  agent?: AgentSummary;
  check?: CheckOutcome;
  rounds?: RoundsOutcome;
  changed: string[];
  backends: BackendAttempt[];
  moves: HostMove[];
  /** A URL repo's branch, pushed to its origin when the job's work is done. */
  pushed?: PushedBranch;
  /** Why the agent session to resume was left (the job moved to a host that does not hold it). */
  freshSession?: string;
  /** The job commits (and pushes) its work when it ends, whatever its outcome (off in histories from before). */
  commitAtEnd?: boolean;
  /** An AuthFailed marks the backend auth-broken and moves to the next one (off in histories from before). */
  authMoves?: boolean;
  /** Lease and ledger by local activity, no changedFiles without a workspace (off in histories from before). */
  lean?: boolean;
}

export const stepOf = (run: JobRun, s: JobStep): void => void (run.progress.step = s);

/** Runs from the agent on; a second run (after a host was lost) starts over on the new host's workspace. */
export async function doWork(run: JobRun, acts: JobActivities): Promise<void> {
  const { spec, progress } = run;
  const workspace = run.workspace;
  if (!workspace) throw new Error('no workspace'); // the caller prepares it first
  delete run.agent;
  delete run.check;
  delete run.rounds;
  stepOf(run, 'running-agent');
  run.agent = await runWithFailover({
    spec,
    workspace,
    acts,
    limits: run.grant?.limitedBackends ?? {},
    authBroken: run.grant?.authBroken ?? [],
    authMoves: run.authMoves ?? false,
    trail: run.backends,
    onLimited: (backend, until) => markLimited(spec.capacityWorkflowId, backend, until),
    onAuthBroken: (backend, message) => markAuthBroken(spec.capacityWorkflowId, backend, message),
    onBackend: (backend) => {
      if (backend === progress.backend) return;
      progress.backend = backend;
      upsertSearchAttributes([{ key: SA.backend, value: backend }]);
    },
  });
  if (spec.fixRounds || spec.review) {
    run.rounds = await verifyAndReview({ spec, workspace, acts, agent: run.agent, step: (s) => stepOf(run, s) });
    run.agent = run.rounds.agent;
    if (run.rounds.check) run.check = run.rounds.check;
  } else if (spec.check && workspace.mode !== 'none') {
    stepOf(run, 'running-check');
    run.check = await acts.check.runCheck({
      command: spec.check,
      cwd: workspace.path,
      jobDir: workspace.jobDir,
      timeoutSeconds: spec.timeoutSeconds,
      ...(spec.sandbox ? { sandbox: spec.sandbox } : {}),
    });
  }
  stepOf(run, 'collecting-result');
  // No workspace, no files: a lean job skips the round trip (older histories recorded it).
  run.changed = run.lean && workspace.mode === 'none' ? [] : await acts.short.changedFiles(workspace);
  // A URL repo's work lands in its origin: only changes that passed their check and review.
  const approved = (run.check?.passed ?? true) && run.rounds?.reviews.at(-1)?.verdict !== 'revise';
  if (!run.commitAtEnd && workspace.origin && run.changed.length > 0 && approved) {
    const title = spec.prompt.split('\n')[0]?.slice(0, 72) ?? '';
    const pushed = await acts.short.publishBranch({
      workspace,
      files: run.changed,
      message: `nightshift ${spec.jobId}: ${title}`,
    });
    if (pushed) run.pushed = pushed;
  }
}
