// The fleet side of a job: prepare its workspace on some host, pin the rest to that host, move when it is lost.
import { TimeoutType } from '@temporalio/common';
import { ActivityFailure, TimeoutFailure, workflowInfo } from '@temporalio/workflow';
import { decodeFailure, encodeFailure, FailureClass } from '../../protocol/failures.js';
import { hostQueue } from '../../protocol/ids.js';
import type { HostMove, WorkspaceInfo } from '../../protocol/result.js';
import type { JobSpec, JobStep } from '../../protocol/job.js';
import { jobActivities, type JobActivities } from './activities.js';

const MAX_MOVES = 3; // a job that lost three hosts in a row has a problem moving will not fix

/** Why an activity on a host queue shows its host gone, or undefined when it is an ordinary failure. */
export function hostLostReason(err: unknown): string | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof TimeoutFailure)) return undefined;
  if (err.cause.timeoutType === TimeoutType.SCHEDULE_TO_START) return 'no worker of the host polled its queue';
  if (err.cause.timeoutType === TimeoutType.HEARTBEAT) return 'the host stopped heartbeating';
  return undefined;
}

const isRepoNotOnHost = (err: unknown): boolean => decodeFailure(err).failureClass === FailureClass.RepoNotOnHost;

/** A host's own queue, as the job's spec sets its timeouts. */
export const onHost = (spec: JobSpec, host: string): JobActivities =>
  jobActivities(spec, hostQueue(workflowInfo().taskQueue, host));

/**
 * Any host first (the shared queue), or the preferred one while it lives. A local repo missing on the host
 * that took the job is tried on every other live host; when none has it the job fails naming the path.
 */
export async function prepareOnSomeHost(
  spec: JobSpec,
  acts: JobActivities,
  prefer?: string,
  lean = false,
): Promise<WorkspaceInfo> {
  // A lean job without a workspace can run anywhere: on the host running its workflow task, with no round trip.
  if (lean && spec.workspaceMode === 'none' && prefer === undefined) return acts.local.prepareWorkspace(spec);
  const tried: string[] = [];
  const attempt = async (host: string): Promise<WorkspaceInfo | undefined> => {
    try {
      return await onHost(spec, host).short.prepareWorkspace(spec);
    } catch (err) {
      if (!isRepoNotOnHost(err) && !hostLostReason(err)) throw err;
      tried.push(host);
      return undefined;
    }
  };
  const preferred = prefer ? await attempt(prefer) : undefined;
  if (preferred) return preferred;
  try {
    return await acts.short.prepareWorkspace(spec);
  } catch (err) {
    if (!isRepoNotOnHost(err)) throw err;
  }
  for (const host of await acts.lease.liveHosts()) {
    if (tried.includes(host)) continue;
    const ws = await attempt(host);
    if (ws) return ws;
  }
  const hosts = tried.length ? ` (tried: ${tried.join(', ')})` : '';
  throw encodeFailure(FailureClass.WorkspaceFailed, `repo path does not exist on any host${hosts}: ${spec.repoPath}`, {
    nonRetryable: true,
  });
}

export interface HostRun {
  spec: JobSpec;
  acts: JobActivities;
  moves: HostMove[];
  workspace?: WorkspaceInfo;
  /** The job's lean path (see JobRun.lean). */
  lean?: boolean;
  currentStep(): JobStep;
  /** Called when the job lands on a host other than the one it preferred or held: its agent session is not there. */
  onNewHost(ws: WorkspaceInfo): void;
}

/** Runs `work` pinned to a host; when that host is lost, prepares again elsewhere and runs `work` from the start. */
export async function runOnHosts(run: HostRun, work: (acts: JobActivities) => Promise<void>): Promise<void> {
  let prefer = run.spec.host;
  for (;;) {
    const ws = await prepareOnSomeHost(run.spec, run.acts, prefer, run.lean);
    run.workspace = ws;
    const last = run.moves.at(-1);
    if (last && !last.to && ws.host) last.to = ws.host;
    if (run.moves.length > 0 || (prefer !== undefined && ws.host !== prefer)) run.onNewHost(ws);
    try {
      await work(ws.hostQueue ? jobActivities(run.spec, ws.hostQueue) : run.acts);
      return;
    } catch (err) {
      const reason = hostLostReason(err);
      if (!reason || !ws.host) throw err;
      if (run.moves.length >= MAX_MOVES) {
        const message = `lost ${MAX_MOVES + 1} hosts in a row (the last, ${ws.host}: ${reason})`;
        throw encodeFailure(FailureClass.HostLost, message, { nonRetryable: true, cause: err });
      }
      run.moves.push({ from: ws.host, reason, step: run.currentStep(), at: Date.now() });
      prefer = undefined;
    }
  }
}
