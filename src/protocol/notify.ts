// Notifications as every process sees them: the events (each with an id stable per notification), what the notify
// workflow takes, and the figures of the daily digest. Times are ISO strings: the JSON a receiver gets.
import type { JobResult } from './result.js';
import type { EndedStatus, Lane, NotifyRetry } from './job.js';
import { isDefaultQueue } from './ids.js';

export type { EndedStatus, JobNotify, NotifyRetry } from './job.js';

export interface JobEnded {
  event: 'job.ended';
  id: string;
  jobId: string;
  status: EndedStatus;
  lane: Lane;
  backend: string;
  kind: string;
  durationMs: number;
  tokens: { input: number; output: number };
  costUsd?: number;
  filesChanged: number;
  failureClass?: string;
  failureMessage?: string;
  commit?: { sha: string; branch: string };
  finishedAt: string;
}

export interface BackendLimited {
  event: 'backend.limited';
  id: string;
  backend: string;
  until: string;
}

export interface BackendAuthBroken {
  event: 'backend.authBroken';
  id: string;
  backend: string;
  since: string;
  message: string;
}

export interface BackpressureOn {
  event: 'backpressure';
  id: string;
  since: string;
  minutes: number;
  reasons: string[];
}

/** A budget newly spent: new background work (interactive too, with `holdInteractive`) waits for its window. */
export interface BudgetSpent {
  event: 'budget';
  id: string;
  /** `all`, or the backend whose spend it counts. */
  scope: string;
  per: string;
  usd: number;
  spentUsd: number;
  since: string;
}

/** A job that succeeded with a commit and has not landed (no landing, or one that is not `landed`). */
export interface Unlanded {
  jobId: string;
  branch: string;
  commit: string;
  finishedAt: string;
  /** The merge queue's last word on it, when it has one (e.g. conflict). */
  landing?: string;
}

/** Figures over jobs finished in [since, until): rates as in `nightshift stats` (null when undefined). */
export interface DigestFigures {
  since: string;
  until: string;
  jobs: number;
  succeeded: number;
  failed: number;
  noOp: number;
  cancelled: number;
  successRate: number | null;
  revisedRate: number | null;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  /** How many wait to be landed, and the first of them (oldest first, at most UNLANDED_LISTED). */
  unlandedCount: number;
  unlanded: Unlanded[];
}

export const UNLANDED_LISTED = 50;

export interface Digest extends DigestFigures {
  event: 'digest';
  id: string;
}

export type Notification = JobEnded | BackendLimited | BackendAuthBroken | BackpressureOn | BudgetSpent | Digest;

/** One webhook of the worker's `notify.webhooks`: its index, and a short hash of its URL (never the URL). */
export interface NotifyTarget {
  index: number;
  key: string;
}

export interface DeliverInput {
  target: NotifyTarget;
  notification: Notification;
  /** The POST's own timeout (the retry policy's `timeoutSeconds`). */
  timeoutSeconds: number;
}

export interface NotifyInput {
  notification: Notification;
  retry: NotifyRetry;
}

/** Targets by `#index`: what reached each, and what ran out of attempts (logged, never an error). */
export interface NotifyOutcome {
  delivered: string[];
  failed: string[];
}

export type NotifyWorkflow = (input: NotifyInput) => Promise<NotifyOutcome>;

/** The digest's window (epoch ms, [since, until)); without one, the 24 hours before the run. */
export interface DigestInput {
  retry: NotifyRetry;
  window?: { since: number; until: number };
}

/**
 * A notify workflow's id: deterministic per notification, so a replayed or retried parent never sends twice.
 * `taskQueue` for what is not unique across deployments (a backend's limit): `.<queue>` off the default queue.
 */
export function notifyWorkflowId(name: string, taskQueue?: string): string {
  const id = `notify-${name}`.replace(/[^A-Za-z0-9._-]/g, '-');
  return taskQueue === undefined || isDefaultQueue(taskQueue) ? id : `${id}.${taskQueue}`;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function jobEnded(r: JobResult): JobEnded {
  const n: JobEnded = {
    event: 'job.ended',
    id: `job.ended:${r.jobId}`,
    jobId: r.jobId,
    status: r.status,
    lane: r.lane,
    backend: r.backend,
    kind: r.kind,
    durationMs: r.durationMs,
    tokens: { input: r.tokens.input, output: r.tokens.output },
    filesChanged: r.filesChanged.length,
    finishedAt: iso(r.timeline.finishedAt),
  };
  if (r.costUsd !== undefined) n.costUsd = r.costUsd;
  if (r.failureClass) n.failureClass = r.failureClass;
  if (r.failureMessage) n.failureMessage = r.failureMessage.slice(0, 500);
  if (r.commit) n.commit = { sha: r.commit.sha, branch: r.commit.branch };
  return n;
}

export const backendLimited = (backend: string, until: number): BackendLimited => ({
  event: 'backend.limited',
  id: `backend.limited:${backend}:${until}`,
  backend,
  until: iso(until),
});

export const backendAuthBroken = (backend: string, since: number, message: string): BackendAuthBroken => ({
  event: 'backend.authBroken',
  id: `backend.authBroken:${backend}:${since}`,
  backend,
  since: iso(since),
  message: message.slice(0, 500),
});

export const backpressureOn = (since: number, now: number, reasons: string[]): BackpressureOn => ({
  event: 'backpressure',
  id: `backpressure:${since}`,
  since: iso(since),
  minutes: Math.round((now - since) / 6000) / 10,
  reasons,
});

export const budgetSpent = (scope: string, per: string, usd: number, spentUsd: number, since: number): BudgetSpent => ({
  event: 'budget',
  id: `budget:${scope}:${per}:${since}`,
  scope,
  per,
  usd,
  spentUsd: Math.round(spentUsd * 10_000) / 10_000,
  since: iso(since),
});

export const digestOf = (figures: DigestFigures): Digest => ({
  event: 'digest',
  id: `digest:${figures.since}:${figures.until}`,
  ...figures,
});
