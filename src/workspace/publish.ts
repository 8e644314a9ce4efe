// A URL repo's job ends with its branch on the origin: the changed files committed, the branch pushed.
import { resolve } from 'node:path';
import type { PublishBranchInput } from '../protocol/activities.js';
import { encodeFailure, FailureClass } from '../protocol/failures.js';
import type { PushedBranch } from '../protocol/result.js';
import { commitBranch } from './commit.js';
import { gitOk } from './git.js';
import { remoteGitOk } from './git-remote.js';
import { withMirrorLock } from './mirror-lock.js';

/**
 * Undefined for a workspace without an origin (a local repo). Else commits the listed files on the job's branch
 * and pushes that commit to the origin's branch of the same name, through the mirror the worktree belongs to
 * (its config holds the real URL). Idempotent: a retry commits nothing new and pushes a commit already there.
 * A push the origin rejects (its branch moved on) is a nonRetryable WorkspaceFailed; a network error may retry.
 */
export async function publishBranch(input: PublishBranchInput): Promise<PushedBranch | undefined> {
  const { workspace: ws } = input;
  if (!ws.origin) return undefined;
  const branch = ws.branch;
  if (!branch) {
    throw encodeFailure(FailureClass.WorkspaceFailed, `no branch to push in ${ws.path}`, { nonRetryable: true });
  }
  const commit = await commitBranch({ cwd: ws.path, files: input.files, message: input.message });
  await pushCommit(ws.path, commit, branch);
  return { origin: ws.origin, branch, commit };
}

/** Pushes `commit` to the origin's `branch` through the mirror the worktree (or mirror) `dir` belongs to. */
export async function pushCommit(dir: string, commit: string, branch: string): Promise<void> {
  const mirror = resolve(dir, (await gitOk(dir, ['rev-parse', '--git-common-dir'])).trim());
  await withMirrorLock(mirror, async () => {
    const url = (await gitOk(mirror, ['config', '--get', 'remote.origin.url'])).trim();
    await remoteGitOk(mirror, ['push', '--quiet', 'origin', `${commit}:refs/heads/${branch}`], url, 'cannot push to');
  });
}
