// What a job changed in its workspace, by content: git's view (tracked edits, new untracked files) or, outside
// git, a walk of the directory — each measured against the baseline taken when the job began.
import type { WorkspaceInfo } from '../protocol/result.js';
import { readBaseline } from './baseline.js';
import { dirChanges } from './dir-snapshot.js';
import { gitChanges } from './git-baseline.js';
import { isGitRepo, statusFiles } from './git.js';

/** Files the job created, modified or deleted in its workspace (sorted). */
export async function changedFiles(ws: WorkspaceInfo): Promise<string[]> {
  if (ws.mode === 'none') return [];
  const base = ws.baselineFile ? await readBaseline(ws.baselineFile) : undefined;
  if (base?.kind === 'dir') return dirChanges(ws.path, base);
  if (!(await isGitRepo(ws.path))) return [];
  if (base?.kind === 'git') return gitChanges(ws.path, base.files);
  // No content baseline (a fresh worktree, or a record from before baselines had one): names only.
  return (await statusFiles(ws.path)).filter((f) => !ws.baseline.includes(f));
}
