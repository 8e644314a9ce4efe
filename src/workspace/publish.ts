// A URL repo's job ends with its branch on the origin: the changed files committed, the branch pushed.
import type { PublishBranchInput } from '../protocol/activities.js';
import { encodeFailure, FailureClass } from '../protocol/failures.js';
import type { PushedBranch } from '../protocol/result.js';
import { commitOnBranch } from './commit.js';
import { readRecord, tamperedFailure, tamperedFiles } from './git-record.js';
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
  const rec = await readRecord(ws.jobDir);
  if (!rec) {
    const message = `no engine record of the worktree ${ws.path}: not pushed`;
    throw encodeFailure(FailureClass.WorkspaceFailed, message, { nonRetryable: true });
  }
  const changed = await tamperedFiles(rec);
  if (changed.length > 0) throw tamperedFailure(ws.path, changed);
  const commit = await commitOnBranch(rec, ws.jobDir, input.files, input.message);
  await pushCommit(rec.commonDir, commit, rec.branch);
  return { origin: ws.origin, branch, commit };
}

/** Pushes `commit` to the origin's `branch` through the mirror (the worktree's recorded common dir). */
export async function pushCommit(mirror: string, commit: string, branch: string): Promise<void> {
  await withMirrorLock(mirror, async () => {
    const url = (await gitOk(mirror, ['config', '--get', 'remote.origin.url'])).trim();
    await remoteGitOk(mirror, ['push', '--quiet', 'origin', `${commit}:refs/heads/${branch}`], url, 'cannot push to');
  });
}
