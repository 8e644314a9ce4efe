// What a job changed in its workspace: git's view (tracked edits, new untracked files) minus the baseline.
import type { WorkspaceInfo } from '../protocol/result.js';
import { gitOk, isGitRepo } from './git.js';

/** Files changed in the workspace (tracked edits and new untracked files), minus the baseline. */
export async function changedFiles(ws: WorkspaceInfo): Promise<string[]> {
  if (ws.mode === 'none' || !(await isGitRepo(ws.path))) return [];
  const out = await gitOk(ws.path, ['status', '--porcelain=v1', '-z', '--untracked-files=all']);
  const files = out
    .split('\0')
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3));
  return files.filter((f) => !ws.baseline.includes(f)).sort();
}
