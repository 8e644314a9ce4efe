// Where a job works: a scratch dir, the user's folder, a git worktree of a local repo or of a URL repo's mirror.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Config } from '../config/schema.js';
import { encodeFailure, FailureClass } from '../protocol/failures.js';
import type { JobSpec } from '../protocol/job.js';
import { isRepoUrl } from '../protocol/repo.js';
import { jobSandbox } from '../sandbox/detect.js';
import { takeBaseline } from './baseline.js';
import { branchExists, git, gitOk, isGitRepo, startMerge } from './git.js';
import { recordOf } from './git-record.js';
import { watchSource } from './outside-writes.js';
import { prepareFromUrl } from './prepare-url.js';
import { setUpWorktree, type SetupProcess } from './setup.js';
import type { WorkspaceInfo } from '../protocol/result.js';

/** Bad repo input: one attempt and a clean error, retrying cannot help. */
const workspaceFailed = (message: string) =>
  encodeFailure(FailureClass.WorkspaceFailed, message, { nonRetryable: true });

/** Idempotent: a retried attempt finds the worktree it made before (and its setup's recorded outcome). */
export async function prepareWorkspace(given: JobSpec, config: Config, run?: SetupProcess): Promise<WorkspaceInfo> {
  const spec = onThisHost(given, config);
  const jobDir = join(config.dataDir, 'jobs', spec.jobId);
  await mkdir(jobDir, { recursive: true });
  if (spec.workspaceMode === 'none') {
    const scratch = join(jobDir, 'scratch');
    await mkdir(scratch, { recursive: true });
    return { path: scratch, mode: 'none', jobDir, baseline: [] };
  }
  if (isRepoUrl(spec.repoPath)) return prepareFromUrl(spec, config, jobDir, run);
  if (!existsSync(spec.repoPath)) {
    // Another host of the fleet may have it: the workflow tries them, and fails the job when none does.
    const message = `repo path does not exist on host ${config.worker.hostId}: ${spec.repoPath}`;
    throw encodeFailure(FailureClass.RepoNotOnHost, message, { nonRetryable: true });
  }
  const git_ = await isGitRepo(spec.repoPath);
  const mode = spec.workspaceMode === 'auto' ? (git_ ? 'worktree' : 'in-place') : spec.workspaceMode;
  if (spec.workspacePath && !git_) {
    // A fixed workspace outside git: a plain directory that persists across the jobs that share it.
    await mkdir(spec.workspacePath, { recursive: true });
    return takeBaseline({ path: spec.workspacePath, mode: 'in-place', jobDir, baseline: [] }, false, config.dataDir);
  }
  if (mode === 'in-place' && !spec.workspacePath) {
    // The user's own folder: whatever it already holds (dirty files, in git or not) is not this job's.
    return takeBaseline({ path: spec.repoPath, mode, jobDir, baseline: [] }, git_, config.dataDir);
  }
  if (!git_) {
    throw workspaceFailed(`workspace mode worktree needs a git repo: ${spec.repoPath}`);
  }
  const path = spec.workspacePath ?? join(config.dataDir, 'worktrees', spec.jobId);
  const branch = spec.branch ?? `nightshift/${spec.jobId}`;
  const baseRef = await currentRef(spec.repoPath);
  const existed = existsSync(path);
  if (!existed) {
    // A fixed workspace keeps its branch across jobs, and a job prepared again (another host, a removed worktree)
    // picks up the work its branch holds; a new one starts from HEAD.
    const reuse = await branchExists(spec.repoPath, branch);
    const start = spec.startFrom ?? 'HEAD';
    const args = reuse ? ['worktree', 'add', path, branch] : ['worktree', 'add', '-B', branch, path, start];
    // A repo other hosts share may still register this path for a host that was lost with the job's files:
    // drop just that registration (a prune would drop every other host's live worktrees too).
    await git(spec.repoPath, ['worktree', 'remove', '--force', path]);
    await gitOk(spec.repoPath, args);
    if (spec.mergeRef && !reuse) await startMerge(path, spec.mergeRef);
  }
  // Before any agent (or setup) ran in it: the engine's own record of its git paths and admin files.
  const rec = await recordOf(jobDir, spec.repoPath, path, branch, !existed);
  const info: WorkspaceInfo = { path, mode: 'worktree', branch, jobDir, baseline: [], baseRef };
  Object.assign(info, { gitDir: rec.gitDir, commonDir: rec.commonDir });
  // Fresh: made just now, or the job's own (an earlier attempt may have stopped before its setup ran). Set up
  // before the baseline: what the setup makes in a shared workspace is not the job's work.
  const fresh = !existed || !spec.workspacePath;
  const setup = await setUpWorktree({ repo: spec.repoPath, path, jobDir, fresh }, config, run);
  if (setup) info.setup = setup;
  // Unconfined, the agent can write the source checkout itself: watch it, so the result can say so.
  if (jobSandbox(spec, config) === 'off') await watchSource(spec.repoPath, jobDir);
  // A shared workspace already holds earlier jobs' uncommitted changes: only what differs from them is this job's.
  // What the setup made (unless ignored) is not the job's work either: the baseline is taken after it.
  return spec.workspacePath || setup ? takeBaseline(info, true, config.dataDir) : info;
}

/** The repo's checked-out branch (or, detached, its commit): the default target of `nightshift land`. */
async function currentRef(repo: string): Promise<string> {
  const branch = (await git(repo, ['symbolic-ref', '--short', '-q', 'HEAD'])).stdout.trim();
  return branch || (await gitOk(repo, ['rev-parse', 'HEAD'])).trim();
}

/** A relative fixed workspace (a session's, a chain's) lives under this host's data dir. */
function onThisHost(spec: JobSpec, config: Config): JobSpec {
  if (!spec.workspacePath || isAbsolute(spec.workspacePath)) return spec;
  return { ...spec, workspacePath: join(config.dataDir, spec.workspacePath) };
}
