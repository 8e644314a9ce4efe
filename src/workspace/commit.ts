// Commits a job's changed files in its worktree, so its branch holds the backend's work (compare / bake-off).
import { execa } from 'execa';
import { changedFiles } from './prepare.js';

export interface CommitBranchInput {
  /** The job's worktree. */
  cwd: string;
  /** The job's filesChanged (relative to the worktree). */
  files: string[];
  message: string;
}

const IDENTITY = ['-c', 'user.name=nightshift', '-c', 'user.email=nightshift@localhost', '-c', 'commit.gpgsign=false'];

const git = (cwd: string, args: string[]) => execa('git', [...IDENTITY, ...args], { cwd, reject: false, stdin: 'ignore' });

async function gitOk(cwd: string, args: string[]): Promise<string> {
  const r = await git(cwd, args);
  if (r.exitCode !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout.trim();
}

/**
 * Stages only the listed files git itself sees as changed (ignored or vanished paths are skipped), commits them
 * and returns the new HEAD. Idempotent: a retried attempt that finds nothing to commit returns HEAD.
 */
export async function commitBranch(input: CommitBranchInput): Promise<string> {
  const wanted = new Set(input.files);
  const changed = (await changedFiles({ path: input.cwd, mode: 'worktree', jobDir: input.cwd, baseline: [] })).filter((f) => wanted.has(f));
  if (changed.length > 0) {
    await gitOk(input.cwd, ['add', '--all', '--', ...changed]);
    const staged = await git(input.cwd, ['diff', '--cached', '--quiet']);
    // Hooks are the repo's business, not a bake-off's: the commit only records what the agent wrote.
    if (staged.exitCode !== 0) await gitOk(input.cwd, ['commit', '--no-verify', '-q', '-m', input.message]);
  }
  return gitOk(input.cwd, ['rev-parse', 'HEAD']);
}
