// Where a job's committed work is: its commit, and the repo on this host that holds it (`diff`, the API's job page).
import { existsSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import type { Config } from '../config/schema.js';
import { isRepoUrl } from '../protocol/repo.js';
import { UsageError } from '../support/usage-error.js';
import { git } from '../workspace/git.js';
import { mirrorDir } from '../workspace/mirror.js';
import { jobOutcome, jobProgress, jobSpecOf } from './jobs.js';

export interface JobCommitRef {
  repo: string;
  sha: string;
  branch: string;
}

/** UsageError (naming the job id) for an unknown job, a job with no result yet or no commit, a repo not here. */
export async function jobCommitRef(client: Client, config: Config, id: string): Promise<JobCommitRef> {
  const spec = await jobSpecOf(client, id).catch(() => undefined);
  if (spec?.jobId !== id) throw new UsageError(`job id: no job "${id}"`);
  // Never wait for a running job's end: its commit is made there.
  if ((await client.workflow.getHandle(id).describe()).status.name === 'RUNNING')
    throw new UsageError(`job id: ${id} has no result yet (it is running; its work is committed at its end)`);
  // A cancelled job's result is in its progress query (its failure carries none).
  const progress = await jobProgress(client, id).catch(() => undefined);
  const outcome = progress?.result ? undefined : await jobOutcome(client, id);
  const result = progress?.result ?? outcome?.result;
  if (!result) throw new UsageError(`job id: ${id} has no result (${outcome?.error?.message ?? 'none recorded'})`);
  if (!result.commit) {
    const why =
      result.commitError ?? (result.filesChanged.length ? 'its workspace is not a git worktree' : 'it changed nothing');
    throw new UsageError(`job id: ${id} has no commit: ${why}`);
  }
  // A URL repo's branch lives in this host's mirror (or on the origin, when it was pushed).
  const repo = isRepoUrl(spec.repoPath) ? mirrorDir(config.dataDir, spec.repoPath) : spec.repoPath;
  if (!existsSync(repo))
    throw new UsageError(
      `job id: ${id}'s repo is not on this host (${repo}); ${result.pushed ? `fetch ${result.pushed.branch} from its origin` : `its host is ${result.host ?? 'unknown'}`}`,
    );
  return { repo, sha: result.commit.sha, branch: result.commit.branch };
}

/** `git show` arguments for the commit: its stat, and its patch unless `stat` only. */
export const showArgs = (ref: JobCommitRef, stat = false): string[] => [
  'show',
  stat ? '--stat' : '--patch-with-stat',
  '--format=commit %H%nbranch ' + ref.branch + '%n%n    %s%n',
  ref.sha,
];

/** The patch as text (the API's job page); the CLI streams it instead. */
export async function jobDiffText(client: Client, config: Config, id: string): Promise<string> {
  const ref = await jobCommitRef(client, config, id);
  const r = await git(ref.repo, showArgs(ref));
  if (r.exitCode !== 0) throw new Error(`git show ${ref.sha} failed: ${String(r.stderr).slice(0, 300)}`);
  return String(r.stdout);
}
