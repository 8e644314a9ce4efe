// Commits a job's changed files on its branch by explicit ref — an index of the engine's own, write-tree,
// commit-tree on the branch's recorded tip, update-ref with that tip as the expected old value — never through the
// worktree's HEAD or index, which its agent could have pointed anywhere (the user's `main`).
import { lstat, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import type { CommitBranchInput } from '../protocol/activities.js';
import { encodeFailure, FailureClass } from '../protocol/failures.js';
import { pathsOf, readRecord, recordFile, tamperedFailure, tamperedFiles, type GitRecord } from './git-record.js';
import { git, gitOk, statusFiles } from './git.js';

/**
 * Commits the listed files git itself sees as changed (ignored or vanished paths are skipped) on the record's
 * branch and returns its tip. Idempotent: a retried attempt that finds nothing new returns the tip as it is.
 */
export async function commitOnBranch(rec: GitRecord, jobDir: string, files: string[], message: string, keep = true) {
  const at = pathsOf(rec);
  const ref = `refs/heads/${rec.branch}`;
  const [parent = '', parentTree] = (await gitOk(at, ['rev-parse', `${ref}^{commit}`, `${ref}^{tree}`])).split('\n');
  const wanted = new Set(files);
  // A nested repository (status lists it as `dir/`) is not the job's work: its commits are not in this repo.
  const changed = (await statusFiles(at)).filter((f) => wanted.has(f) && !f.endsWith('/'));
  const merging = rec.mergeHead && (await git(at, ['merge-base', '--is-ancestor', rec.mergeHead, parent])).exitCode;
  if (changed.length === 0 && !merging) return parent;
  const index = join(jobDir, 'commit.index');
  const env = { GIT_INDEX_FILE: index };
  await rm(index, { force: true });
  await gitOk(at, ['read-tree', parent], env);
  const present: string[] = [];
  const gone: string[] = [];
  for (const f of changed) ((await lstat(join(rec.workTree, f)).catch(() => undefined)) ? present : gone).push(f);
  if (present.length > 0) await gitOk(at, ['add', '--all', '--', ...present], env);
  if (gone.length > 0) await gitOk(at, ['rm', '--cached', '-r', '-q', '--ignore-unmatch', '--', ...gone], env);
  const tree = (await gitOk(at, ['write-tree'], env)).trim();
  if (!merging && tree === parentTree) return parent;
  const parents = ['-p', parent, ...(merging && rec.mergeHead ? ['-p', rec.mergeHead] : [])];
  const sha = (await gitOk(at, ['commit-tree', tree, ...parents, '-m', message])).trim();
  await gitOk(at, ['update-ref', '-m', 'nightshift: commit', ref, sha, parent]);
  // A kept checkout's index now matches its branch (so it shows nothing left to commit); a merge is done.
  if (keep) await gitOk(at, ['read-tree', sha]);
  if (merging)
    for (const f of ['MERGE_HEAD', 'MERGE_MSG', 'MERGE_MODE']) await rm(join(rec.gitDir, f), { force: true });
  await rm(index, { force: true });
  return sha;
}

/** Renames nothing: creates `to` at `sha` (or finds it there) and deletes `from` if it is still at `sha`; HEAD follows. */
export async function moveBranch(rec: GitRecord, jobDir: string, to: string, sha: string): Promise<GitRecord> {
  const at = pathsOf(rec);
  const have = (await git(at, ['rev-parse', '--verify', '--quiet', `refs/heads/${to}`])).stdout.trim();
  if (have !== sha) await gitOk(at, ['update-ref', `refs/heads/${to}`, sha, have || '0'.repeat(sha.length)]);
  await gitOk(at, ['update-ref', '-d', `refs/heads/${rec.branch}`, sha]);
  await gitOk(at, ['symbolic-ref', 'HEAD', `refs/heads/${to}`]);
  // The record follows the engine's own change, so a retry does not read it as tampering.
  const head = await readFile(join(rec.gitDir, 'HEAD'), 'utf8');
  const moved: GitRecord = { ...rec, branch: to, admin: { ...rec.admin, HEAD: head } };
  await writeFile(recordFile(jobDir), JSON.stringify(moved));
  return moved;
}

/**
 * The compare workflow's commit of a job's worktree (by path): through the record the job's prepare left in its
 * job dir, checked for tampering first. A worktree without one is not committed.
 */
export async function commitBranch(input: CommitBranchInput, config: Config): Promise<string> {
  const jobDir = join(config.dataDir, 'jobs', basename(input.cwd));
  const rec = await readRecord(jobDir);
  if (!rec || resolve(rec.workTree) !== resolve(input.cwd)) {
    const message = `no engine record of the worktree ${input.cwd}: not committed`;
    throw encodeFailure(FailureClass.WorkspaceFailed, message, { nonRetryable: true });
  }
  const changed = await tamperedFiles(rec);
  if (changed.length > 0) throw tamperedFailure(input.cwd, changed);
  return commitOnBranch(rec, jobDir, input.files, input.message);
}
