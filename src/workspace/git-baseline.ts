// A shared git workspace's baseline: the already-changed files with their content, so a later rewrite shows.
import { join } from 'node:path';
import { fileState } from './file-state.js';
import { gitOk, statusFiles, type GitAt } from './git.js';

/** Already-changed paths (repo-relative), each with its state then ('' = deleted). */
export type GitBaseline = [path: string, state: string][];

/** A recorded worktree's root is its recorded path; a directory's, git's answer. */
const topLevel = async (at: GitAt): Promise<string> =>
  typeof at === 'string' ? (await gitOk(at, ['rev-parse', '--show-toplevel'])).trim() : (at.workTree ?? at.gitDir);

/** The files git sees as changed now, each with its content hash. */
export async function gitBaseline(cwd: GitAt): Promise<GitBaseline> {
  const root = await topLevel(cwd);
  const files: GitBaseline = [];
  // One at a time: a dirty tree may hold thousands of files, and descriptors are finite.
  for (const f of await statusFiles(cwd)) files.push([f, await fileState(join(root, f))]);
  return files;
}

/**
 * Changed since the baseline: a file git sees as changed that was not in it, or one whose content is not what
 * the baseline recorded (rewritten, deleted, or restored to HEAD).
 */
export async function gitChanges(cwd: GitAt, base: GitBaseline): Promise<string[]> {
  const root = await topLevel(cwd);
  const then = new Map(base);
  const changed: string[] = [];
  for (const f of new Set([...(await statusFiles(cwd)), ...then.keys()])) {
    const before = then.get(f);
    if (before === undefined || (await fileState(join(root, f))) !== before) changed.push(f);
  }
  return changed.sort();
}
