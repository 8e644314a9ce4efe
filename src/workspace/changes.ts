// What a job changed in its workspace, by content: git's view (tracked edits, new untracked files) or, outside
// git, a walk of the directory — each measured against the baseline taken when the job began.
import type { WorkspaceInfo } from '../protocol/result.js';
import { readBaseline } from './baseline.js';
import { dirChanges } from './dir-snapshot.js';
import { gitChanges } from './git-baseline.js';
import { pathsOf, readRecord, tamperedFailure, tamperedFiles } from './git-record.js';
import { isGitRepo, statusFiles, type GitAt } from './git.js';

/**
 * Files the job created, modified or deleted in its workspace (sorted). A recorded worktree whose git metadata
 * the agent changed is a WorkspaceTampered failure: no git runs on it.
 */
export async function changedFiles(ws: WorkspaceInfo): Promise<string[]> {
  if (ws.mode === 'none') return [];
  const base = ws.baselineFile ? await readBaseline(ws.baselineFile) : undefined;
  if (base?.kind === 'dir') return dirChanges(ws.path, base);
  const record = ws.mode === 'worktree' ? await readRecord(ws.jobDir) : undefined;
  let at: GitAt = ws.path;
  if (record) {
    const changed = await tamperedFiles(record);
    if (changed.length > 0) throw tamperedFailure(ws.path, changed);
    at = pathsOf(record);
  } else if (!(await isGitRepo(ws.path))) return [];
  if (base?.kind === 'git') return gitChanges(at, base.files);
  // No content baseline (a fresh worktree, or a record from before baselines had one): names only.
  return (await statusFiles(at)).filter((f) => !ws.baseline.includes(f));
}
