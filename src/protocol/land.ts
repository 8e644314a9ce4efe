// The merge queue's contract: one landing workflow per target branch of a repo, fed jobs to land in order.
import type { JobSpec } from './job.js';
import type { JobResult } from './result.js';
export const LAND_STRATEGIES = ['rebase', 'merge'] as const;
export type LandStrategy = (typeof LAND_STRATEGIES)[number];

/** A job's committed work, asked to land on the queue's target (resolved at the edge from the job's result). */
export interface LandRequest {
  jobId: string;
  /** The job's task (its first line): a resolver agent is told what the work was for. */
  task: string;
  branch: string;
  sha: string;
  /** The worker host whose repo (or mirror) holds the branch; absent: any host. */
  host?: string;
  /** The job's check, run on the landed result before the target moves. */
  check?: string[];
  timeoutSeconds: number;
  heartbeatSeconds: number;
  /**
   * On a conflict, this job (resolved at the edge; its id, prompt and start are set by the queue) resolves it —
   * its own lease — before one more try.
   */
  resolver?: JobSpec;
  requestedAt: number;
}

/** What starts a queue: the repo as jobs name it (a path or a URL) and the branch it lands on. */
export interface LandQueueInput {
  landId: string;
  repo: string;
  target: string;
  strategy: LandStrategy;
  hostLostSeconds: number;
  /** With nothing to land for this long the queue's workflow completes (the next request starts it again). */
  idleSeconds: number;
}

/** A request for the queue of `repo`'s `target` (the queue's settings come from the config of whoever starts it). */
export interface LandEnqueueInput {
  repo: string;
  target: string;
  request: LandRequest;
}

/** The queue's settings as the config gives them: the edge (CLI or a worker) fills them in. */
export function landQueueInput(
  repo: string,
  target: string,
  taskQueue: string,
  c: { land: { strategy: LandStrategy; idleSeconds: number }; worker: { hostLostSeconds: number } },
): LandQueueInput {
  return {
    landId: landQueueId(repo, target, taskQueue),
    repo,
    target,
    strategy: c.land.strategy,
    idleSeconds: c.land.idleSeconds,
    hostLostSeconds: c.worker.hostLostSeconds,
  };
}

export type LandState =
  'queued' | 'landing' | 'checking' | 'resolving' | 'landed' | 'conflict' | 'check-failed' | 'failed';

export interface LandEntry {
  jobId: string;
  branch: string;
  state: LandState;
  /** The target's commit before (`from`) and after (`commit`) the landing. */
  from?: string;
  commit?: string;
  /** Files that conflict with the target. */
  files?: string[];
  /** The failing check's output tail, or why the landing failed. */
  output?: string;
  resolverJobId?: string;
  queuedAt: number;
  startedAt?: number;
  finishedAt?: number;
}

export interface LandView {
  landId: string;
  repo: string;
  target: string;
  strategy: LandStrategy;
  /** Waiting, in landing order; the one landing now; finished ones (the newest last, bounded). */
  queue: LandEntry[];
  current?: LandEntry;
  done: LandEntry[];
}

/** A scratch worktree with the job's work on the target's tip, or why there is none. */
export type LandPrepared =
  | { kind: 'ready'; scratch: string; tip: string; result: string }
  | { kind: 'landed'; tip: string; commit: string }
  | { kind: 'conflict'; tip: string; files: string[] };

export interface LandPrepareInput {
  landId: string;
  repo: string;
  target: string;
  strategy: LandStrategy;
  jobId: string;
  branch: string;
  sha: string;
}

export interface LandAdvanceInput {
  repo: string;
  target: string;
  /** Compare-and-swap: the target moves from `tip` to `result`, or not at all. */
  tip: string;
  result: string;
  scratch: string;
  /** The branch that was landed: it is moved to the landed commit, so it reads as landed (`gc --branches`). */
  branch?: string;
}

export type LandAdvanced = { kind: 'landed'; commit: string } | { kind: 'moved'; now: string };

export interface LandRecord {
  jobId: string;
  status: LandState;
  target: string;
  commit?: string;
  detail?: string;
}

/** `land-<repo name>-<target>-<hash of repo and target>`: one queue per target branch of a repo. */
export function landQueueId(repo: string, target: string, taskQueue: string): string {
  const key = `${taskQueue}\n${repo}\n${target}`;
  let h = 5381;
  for (let i = 0; i < key.length; i++) h = ((h * 33) ^ key.charCodeAt(i)) >>> 0;
  const name = (
    repo
      .replace(/\.git$/, '')
      .split(/[/:]/)
      .filter(Boolean)
      .at(-1) ?? 'repo'
  ).replace(/[^\w.-]/g, '');
  return `land-${name}-${target.replace(/[^\w.-]/g, '-')}-${h.toString(16)}`;
}

/** A finished job's committed work as a landing request; undefined (with why) when there is nothing to land. */
export function landRequestOf(
  spec: JobSpec,
  result: JobResult,
  now: number,
  resolver?: JobSpec,
): { request: LandRequest } | { refused: string } {
  if (result.status !== 'succeeded')
    return { refused: `job ${result.jobId} ${result.status}; only a succeeded job lands` };
  if (!result.commit) return { refused: `job ${result.jobId} committed nothing (no git worktree, or no change)` };
  const request: LandRequest = {
    jobId: result.jobId,
    task: spec.prompt.split('\n')[0]?.slice(0, 200) ?? '',
    branch: result.commit.branch,
    sha: result.commit.sha,
    timeoutSeconds: spec.timeoutSeconds,
    heartbeatSeconds: spec.heartbeatSeconds,
    requestedAt: now,
  };
  if (result.host) request.host = result.host;
  if (spec.check) request.check = spec.check;
  if (resolver) request.resolver = resolver;
  return { request };
}
