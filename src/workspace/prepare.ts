import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { execa } from 'execa';
import type { Config } from '../config/schema.js';
import { FailureClass } from '../protocol/failures.js';
import type { JobSpec, WorkspaceInfo } from '../protocol/job.js';

async function git(cwd: string, args: string[]): Promise<string> {
  const r = await execa('git', args, { cwd, reject: false });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

export const isGitRepo = async (dir: string): Promise<boolean> =>
  (await execa('git', ['rev-parse', '--is-inside-work-tree'], { cwd: dir, reject: false })).stdout.trim() === 'true';

/** Idempotent: a retried attempt finds the worktree it made before. */
export async function prepareWorkspace(spec: JobSpec, config: Config): Promise<WorkspaceInfo> {
  const jobDir = join(config.dataDir, 'jobs', spec.jobId);
  await mkdir(jobDir, { recursive: true });
  if (spec.workspaceMode === 'none') {
    const scratch = join(jobDir, 'scratch');
    await mkdir(scratch, { recursive: true });
    return { path: scratch, mode: 'none', jobDir, baseline: [] };
  }
  if (!existsSync(spec.repoPath)) {
    throw ApplicationFailure.nonRetryable(`repo path does not exist: ${spec.repoPath}`, FailureClass.WorkspaceFailed);
  }
  const git_ = await isGitRepo(spec.repoPath);
  const mode = spec.workspaceMode === 'auto' ? (git_ ? 'worktree' : 'in-place') : spec.workspaceMode;
  if (spec.workspacePath && !git_) {
    // A fixed workspace outside git: a plain directory that persists across the jobs that share it.
    await mkdir(spec.workspacePath, { recursive: true });
    return { path: spec.workspacePath, mode: 'in-place', jobDir, baseline: [] };
  }
  if (mode === 'in-place' && !spec.workspacePath) {
    return { path: spec.repoPath, mode, jobDir, baseline: git_ ? await changedFiles({ path: spec.repoPath, mode, jobDir, baseline: [] }) : [] };
  }
  if (!git_) {
    throw ApplicationFailure.nonRetryable(`workspace mode worktree needs a git repo: ${spec.repoPath}`, FailureClass.WorkspaceFailed);
  }
  const path = spec.workspacePath ?? join(config.dataDir, 'worktrees', spec.jobId);
  const branch = spec.branch ?? `nightshift/${spec.jobId}`;
  if (!existsSync(path)) {
    // A fixed workspace keeps its branch across jobs; a new one starts from HEAD.
    const exists = (await execa('git', ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: spec.repoPath, reject: false })).exitCode === 0;
    const args = spec.workspacePath && exists ? ['worktree', 'add', path, branch] : ['worktree', 'add', '-B', branch, path, 'HEAD'];
    await git(spec.repoPath, args);
  }
  const info: WorkspaceInfo = { path, mode: 'worktree', branch, jobDir, baseline: [] };
  // A shared workspace already holds earlier jobs' uncommitted changes: only new ones are this job's.
  if (spec.workspacePath) info.baseline = await changedFiles(info);
  return info;
}

/** Files changed in the workspace (tracked edits and new untracked files), minus the baseline. */
export async function changedFiles(ws: WorkspaceInfo): Promise<string[]> {
  if (ws.mode === 'none' || !(await isGitRepo(ws.path))) return [];
  const out = await git(ws.path, ['status', '--porcelain=v1', '-z', '--untracked-files=all']);
  const files = out
    .split('\0')
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3));
  return files.filter((f) => !ws.baseline.includes(f)).sort();
}
