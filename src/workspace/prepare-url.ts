// A job on a URL repo: a worktree of this host's mirror, fetched just now, on the job's own branch.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { encodeFailure, FailureClass } from '../protocol/failures.js';
import type { JobSpec } from '../protocol/job.js';
import { maskRepoUrl } from '../protocol/repo.js';
import type { WorkspaceInfo } from '../protocol/result.js';
import { takeBaseline } from './baseline.js';
import { branchExists, git, gitOk, startMerge } from './git.js';
import { recordOf } from './git-record.js';
import { mirrorDir, withFreshMirror } from './mirror.js';
import { setUpWorktree, type SetupProcess } from './setup.js';

/**
 * Idempotent: a retried attempt finds its worktree and leaves the mirror alone. `origin` is the masked URL; the
 * real one (credentials and all) stays in the mirror's git config, where `publishBranch` pushes through it.
 */
export async function prepareFromUrl(
  spec: JobSpec,
  config: Config,
  jobDir: string,
  run?: SetupProcess,
): Promise<WorkspaceInfo> {
  const origin = maskRepoUrl(spec.repoPath);
  if (spec.workspaceMode === 'in-place') {
    throw encodeFailure(FailureClass.WorkspaceFailed, `workspace mode in-place needs a local repo: ${origin}`, {
      nonRetryable: true,
    });
  }
  const path = resolve(spec.workspacePath ?? join(config.dataDir, 'worktrees', spec.jobId));
  const branch = spec.branch ?? `nightshift/${spec.jobId}`;
  const existed = existsSync(path);
  if (!existed) {
    await withFreshMirror(config.dataDir, spec.repoPath, async (mirror) => {
      await git(mirror, ['worktree', 'prune']); // a worktree deleted by hand still blocks its path until pruned
      const args = await worktreeAdd(mirror, {
        path,
        branch,
        origin,
        ...(spec.startFrom ? { startFrom: spec.startFrom } : {}),
      });
      await gitOk(mirror, args);
      if (spec.mergeRef && args.includes('-B')) await startMerge(path, spec.mergeRef);
    });
  }
  // Before any agent (or setup) ran in it: the engine's own record of its git paths and admin files.
  const rec = await recordOf(jobDir, mirrorDir(config.dataDir, spec.repoPath), path, branch, !existed);
  const at = { gitDir: rec.gitDir, commonDir: rec.commonDir, workTree: path };
  const head = (await git(at, ['symbolic-ref', '--short', '-q', 'refs/remotes/origin/HEAD'])).stdout.trim();
  const info: WorkspaceInfo = { path, mode: 'worktree', branch, jobDir, baseline: [], origin };
  Object.assign(info, { gitDir: rec.gitDir, commonDir: rec.commonDir });
  if (head.startsWith('origin/')) info.baseRef = head.slice('origin/'.length);
  // Made just now, or the job's own worktree (an earlier attempt may have stopped before its setup ran).
  const fresh = !existed || !spec.workspacePath;
  const setup = await setUpWorktree({ repo: spec.repoPath, path, jobDir, fresh }, config, run);
  if (setup) info.setup = setup;
  // What the setup made (unless ignored) is not the job's work either: the baseline is taken after it.
  return spec.workspacePath || setup ? takeBaseline(info, true, config.dataDir) : info;
}

interface NewWorktree {
  path: string;
  branch: string;
  origin: string;
  /** A landing's resolver starts on the target's tip. */
  startFrom?: string;
}

/**
 * A kept branch (a fixed workspace's, or a job's own prepared again) as it is; else the given start; else the
 * origin's branch of that name if it has one, else the origin's default HEAD.
 */
async function worktreeAdd(mirror: string, w: NewWorktree): Promise<string[]> {
  if (await branchExists(mirror, w.branch)) return ['worktree', 'add', w.path, w.branch];
  if (w.startFrom) return ['worktree', 'add', '--no-track', '-B', w.branch, w.path, w.startFrom];
  const upstream = `refs/remotes/origin/${w.branch}`;
  const start = (await git(mirror, ['rev-parse', '--verify', '--quiet', upstream])).exitCode === 0 ? upstream : '';
  if (!start && (await git(mirror, ['rev-parse', '--verify', '--quiet', 'refs/remotes/origin/HEAD'])).exitCode) {
    throw encodeFailure(FailureClass.WorkspaceFailed, `${w.origin} has no default branch (an empty repository?)`, {
      nonRetryable: true,
    });
  }
  return ['worktree', 'add', '--no-track', '-B', w.branch, w.path, start || 'refs/remotes/origin/HEAD'];
}
