// Which `nightshift/*` branches gc may delete: only those whose work already landed (the tip is contained in the
// repo's HEAD branch), unless unlanded ones are asked for too; never one checked out in a live worktree.
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { GcAction, GcRepo } from './gc.js';
import { git } from './git.js';

export interface BranchContext {
  /** Worktree paths (real) this pass removes: their branches are no longer checked out. */
  removed: Set<string>;
  /** `<gitDir>\0<branch>` of branches that get a leftover commit: unlanded by then. */
  committed: Set<string>;
  unlanded: boolean;
}

export async function planBranches(repo: GcRepo, ctx: BranchContext): Promise<GcAction[]> {
  const target = await landingTip(repo);
  if (!target) return []; // nothing to land on (an empty repo): no branch is judged
  const live = await liveBranches(repo.gitDir, ctx.removed);
  if (!live) return []; // which branches are checked out is unknown: none is judged
  const refs = await git(repo.gitDir, ['for-each-ref', '--format=%(refname)', 'refs/heads/nightshift/']);
  const actions: GcAction[] = [];
  for (const ref of refs.stdout.split('\n').filter(Boolean)) {
    const branch = ref.slice('refs/heads/'.length);
    if (live.has(branch)) continue;
    const landed =
      !ctx.committed.has(`${repo.gitDir}\0${branch}`) &&
      (await git(repo.gitDir, ['merge-base', '--is-ancestor', ref, target])).exitCode === 0;
    if (landed || ctx.unlanded) actions.push({ kind: 'delete-branch', repo, branch });
    else actions.push({ kind: 'keep-branch', repo, branch, reason: 'unlanded' });
  }
  return actions;
}

/** The commit work lands on: a mirror's origin default branch, a user's repo's HEAD. */
async function landingTip(repo: GcRepo): Promise<string | undefined> {
  const refs = repo.mirror ? ['refs/remotes/origin/HEAD', 'HEAD'] : ['HEAD'];
  for (const ref of refs) {
    const r = await git(repo.gitDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    if (r.exitCode === 0) return r.stdout.trim();
  }
  return undefined;
}

/** Branches checked out in a worktree that stays: its dir is there and this pass does not remove it. */
async function liveBranches(gitDir: string, removed: Set<string>): Promise<Set<string> | undefined> {
  const list = await git(gitDir, ['worktree', 'list', '--porcelain']);
  if (list.exitCode !== 0) return undefined;
  const live = new Set<string>();
  for (const block of list.stdout.split('\n\n')) {
    const lines = block.split('\n');
    const path = lines.find((l) => l.startsWith('worktree '))?.slice('worktree '.length);
    const branch = lines.find((l) => l.startsWith('branch refs/heads/'))?.slice('branch refs/heads/'.length);
    if (!path || !branch || lines.some((l) => l.startsWith('prunable'))) continue;
    const real = await realpath(path).catch(() => resolve(path));
    if (!removed.has(real)) live.add(branch);
  }
  return live;
}
