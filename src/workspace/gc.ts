// `nightshift gc`'s vocabulary: a pass is planned first (gc-plan.ts) and then applied (gc-apply.ts), so a dry run
// lists exactly what a real run would do.

/** A repository jobs' worktrees belong to: a user's repo (`repo` its folder) or a URL repo's mirror. */
export interface GcRepo {
  /** Where git runs: the common git dir (`<repo>/.git`, or the bare mirror). */
  gitDir: string;
  /** How it reads: the repo's folder, or the mirror's path. */
  repo: string;
  mirror: boolean;
}

export type GcAction =
  /** `jobDir`: the job's record of the worktree (git-record.ts), through which the commit is made. */
  | { kind: 'commit'; path: string; jobId: string; branch: string; jobDir?: string }
  /** `repo` absent: the dir is no git worktree any more and goes with rm -rf. */
  | { kind: 'remove-worktree'; path: string; jobId: string; ageMs: number; bytes: number; repo?: GcRepo }
  | { kind: 'delete-job-dir'; path: string; jobId: string; ageMs: number; bytes: number }
  | { kind: 'skip'; path: string; jobId: string; ageMs?: number; reason: string }
  | { kind: 'prune'; repo: GcRepo }
  | { kind: 'delete-branch'; repo: GcRepo; branch: string }
  | { kind: 'keep-branch'; repo: GcRepo; branch: string; reason: string };

export interface GcOptions {
  dataDir: string;
  /** Entries whose mtime is at least this old are stale. */
  olderThanMs: number;
  now: number;
  /** Delete landed `nightshift/*` branches… */
  branches: boolean;
  /** …and unlanded ones too (an explicit ask). */
  unlanded: boolean;
  /** Whether a job still runs; absent, age alone decides. */
  isRunning?: (jobId: string) => Promise<boolean>;
}

export interface GcPlan {
  actions: GcAction[];
  /** Disk space the removals free, counted before anything is deleted. */
  bytes: number;
}

/** `40s`, `25m`, `3h`, `10d`: the largest whole unit. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** One line per action, as the CLI prints it. */
export function describeAction(a: GcAction): string {
  switch (a.kind) {
    case 'commit':
      return `commit leftover work in ${a.path}`;
    case 'remove-worktree':
      return `remove worktree ${a.path} (${formatAge(a.ageMs)}${a.repo ? '' : ', not a git worktree: rm -rf'})`;
    case 'delete-job-dir':
      return `delete job dir ${a.path}`;
    case 'skip':
      return `skip ${a.path} (${a.reason})`;
    case 'prune':
      return `prune worktrees of ${a.repo.repo}`;
    case 'delete-branch':
      return `delete branch ${a.repo.repo} ${a.branch}`;
    case 'keep-branch':
      return `keep branch ${a.repo.repo} ${a.branch} (${a.reason})`;
  }
}
