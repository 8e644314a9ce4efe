// Commits a job's changed files in its worktree, so its branch holds the backend's work (compare / bake-off).
import type { CommitBranchInput } from '../protocol/activities.js';
import { changedFiles } from './changes.js';
import { git, gitOk } from './git.js';

/**
 * Stages only the listed files git itself sees as changed (ignored or vanished paths are skipped), commits them
 * and returns the new HEAD. Idempotent: a retried attempt that finds nothing to commit returns HEAD.
 */
export async function commitBranch(input: CommitBranchInput): Promise<string> {
  const wanted = new Set(input.files);
  const changed = (await changedFiles({ path: input.cwd, mode: 'worktree', jobDir: input.cwd, baseline: [] })).filter(
    (f) => wanted.has(f),
  );
  if (changed.length > 0) {
    await gitOk(input.cwd, ['add', '--all', '--', ...changed]);
    const staged = await git(input.cwd, ['diff', '--cached', '--quiet']);
    // Hooks are the repo's business, not the engine's: the commit only records what the agent wrote.
    const noHooks = ['-c', 'core.hooksPath=/dev/null', 'commit', '--no-verify', '-q', '-m', input.message];
    if (staged.exitCode !== 0) await gitOk(input.cwd, noHooks);
  }
  return (await gitOk(input.cwd, ['rev-parse', 'HEAD'])).trim();
}
