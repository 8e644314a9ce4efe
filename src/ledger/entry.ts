// One row of the job ledger: the figures `nightshift stats` sums, taken from a finished job's result.
import type { JobResult } from '../protocol/result.js';
import type { Lane } from '../protocol/job.js';
import { usageProblem } from '../support/usage-figures.js';

export interface LedgerEntry {
  jobId: string;
  status: JobResult['status'];
  backend: string;
  kind: string;
  lane: Lane;
  /** The worker host that ran the job (`unknown` for results from before hosts were recorded). */
  host: string;
  queuedAt: number;
  finishedAt: number;
  durationMs: number;
  leaseWaitMs: number;
  tokensIn: number;
  tokensOut: number;
  cacheRead: number;
  cacheWrite: number;
  costUsd?: number;
  attempts: number;
  /** Needed revision: a fix round after a failing check, or a revision the reviewer asked for. */
  revised: boolean;
  reviewed: boolean;
  failureClass?: string;
  /** The job's work as committed on its branch, and its diff stat. */
  commitSha?: string;
  branch?: string;
  diffFiles?: number;
  diffInsertions?: number;
  diffDeletions?: number;
  /** bwrap | off (absent: a result from before the sandbox). */
  sandbox?: string;
  /** Unsandboxed: the source checkout's files the job changed outside its workspace. */
  outsideWrites?: string[];
  /** The workspace's git metadata the agent changed: its work was not committed. */
  tampered?: string[];
}

export const UNKNOWN_HOST = 'unknown';

/** A result's figure as stats may sum it: a negative, non-finite or absurd one (never a CLI's to set) counts 0. */
const figure = (field: string, v: number): number => (usageProblem(field, v) ? 0 : v);

export function ledgerEntryOf(r: JobResult): LedgerEntry {
  const entry: LedgerEntry = {
    jobId: r.jobId,
    status: r.status,
    backend: r.backend,
    kind: r.kind,
    lane: r.lane,
    host: r.host ?? UNKNOWN_HOST,
    queuedAt: r.timeline.queuedAt,
    finishedAt: r.timeline.finishedAt,
    durationMs: r.durationMs,
    leaseWaitMs: r.leaseWaitMs,
    tokensIn: figure(`tokens.input`, r.tokens.input),
    tokensOut: figure(`tokens.output`, r.tokens.output),
    cacheRead: figure(`tokens.cacheRead`, r.tokens.cacheRead),
    cacheWrite: figure(`tokens.cacheWrite`, r.tokens.cacheWrite),
    attempts: r.attempts,
    revised: Boolean(r.revised) || (r.fixRounds ?? 0) > 0,
    reviewed: (r.reviews?.length ?? 0) > 0,
  };
  if (r.costUsd !== undefined && !usageProblem('costUsd', r.costUsd)) entry.costUsd = r.costUsd;
  if (r.failureClass) entry.failureClass = r.failureClass;
  if (r.sandbox) entry.sandbox = r.sandbox;
  if (r.outsideWrites?.length) entry.outsideWrites = r.outsideWrites;
  if (r.tampered?.length) entry.tampered = r.tampered;
  if (r.commit) {
    const c = r.commit;
    Object.assign(entry, {
      commitSha: c.sha,
      branch: c.branch,
      diffFiles: c.files,
      diffInsertions: c.insertions,
      diffDeletions: c.deletions,
    });
  }
  return entry;
}
