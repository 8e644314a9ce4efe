// Carries out a planned gc pass in its order (commits, removals, prunes, branches): an action that fails is
// reported and the rest go on, but a worktree whose leftover work could not be committed is not removed.
import { rm } from 'node:fs/promises';
import type { GcAction, GcPlan, GcRepo } from './gc.js';
import { commitOnBranch } from './commit.js';
import { pathsOf, readRecord } from './git-record.js';
import { git, gitOk, statusFiles } from './git.js';
import { withMirrorLock } from './mirror-lock.js';

export interface GcResult {
  action: GcAction;
  error?: string;
}

export interface GcApplied {
  results: GcResult[];
  /** Bytes of the removals that succeeded. */
  freedBytes: number;
}

export async function applyGc(plan: GcPlan, onResult?: (r: GcResult) => void): Promise<GcApplied> {
  const uncommitted = new Set<string>();
  const results: GcResult[] = [];
  let freedBytes = 0;
  for (const action of plan.actions) {
    const result: GcResult = { action };
    try {
      if (action.kind === 'remove-worktree' && uncommitted.has(action.path)) {
        throw new Error('kept: its leftover work could not be committed');
      }
      await apply(action);
      if ('bytes' in action) freedBytes += action.bytes;
    } catch (err) {
      result.error = ((err as Error).message || String(err)).split('\n')[0] ?? '';
      if (action.kind === 'commit') uncommitted.add(action.path);
    }
    results.push(result);
    onResult?.(result);
  }
  return { results, freedBytes };
}

async function apply(a: GcAction): Promise<void> {
  switch (a.kind) {
    case 'commit':
      return commitLeftover(a.path, a.jobId, a.jobDir);
    case 'remove-worktree':
      if (!a.repo) return rm(a.path, { recursive: true, force: true });
      return inRepo(a.repo, ['worktree', 'remove', '--force', a.path]);
    case 'delete-job-dir':
      return rm(a.path, { recursive: true, force: true });
    case 'prune':
      return inRepo(a.repo, ['worktree', 'prune']);
    case 'delete-branch':
      return inRepo(a.repo, ['branch', '-D', a.branch]);
    case 'skip':
    case 'keep-branch':
      return;
  }
}

/** Everything git sees as changed, committed on the worktree's branch as nightshift, hooks off. */
async function commitLeftover(path: string, jobId: string, jobDir?: string): Promise<void> {
  const message = `gc: work left in ${path}\n\nnightshift job ${jobId}`;
  const rec = jobDir ? await readRecord(jobDir) : undefined;
  // A recorded worktree: by ref on its recorded branch (checked for tampering when planned), never through HEAD.
  if (rec && jobDir) return void (await commitOnBranch(rec, jobDir, await statusFiles(pathsOf(rec)), message));
  await gitOk(path, ['add', '--all']);
  if ((await git(path, ['diff', '--cached', '--quiet'])).exitCode === 0) return; // nothing left after all
  await gitOk(path, ['commit', '--no-verify', '-q', '-m', message]);
}

/** git in the repo's common dir; a mirror's under its lock, as the workers take it. */
async function inRepo(repo: GcRepo, args: string[]): Promise<void> {
  const run = async (): Promise<void> => void (await gitOk(repo.gitDir, args));
  await (repo.mirror ? withMirrorLock(repo.gitDir, run) : run());
}
