// The end of a job's workspace: its changes committed on its branch (a failed job's on `<branch>-failed`), a URL
// repo's approved branch pushed, and the worktree directory removed unless `jobs.keepWorktrees` keeps it. Every
// git call goes through the engine's record of the worktree; a tampered one is restored, never committed.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { FinishWorkspaceInput } from '../protocol/activities.js';
import type { JobCommit, WorkspaceFinish } from '../protocol/result.js';
import { changedFiles } from './changes.js';
import { commitOnBranch, moveBranch } from './commit.js';
import { pathsOf, readRecord, restoreAdmin, tamperedFiles, type GitRecord } from './git-record.js';
import { git, gitOk, type GitPaths } from './git.js';
import { withMirrorLock } from './mirror-lock.js';
import { outsideWrites } from './outside-writes.js';
import { pushCommit } from './publish.js';

const RECORD = 'finish.json'; // in the job dir: a retry after the worktree is gone returns what the first attempt did
const NO_DRIVERS = ['--no-ext-diff', '--no-textconv'];

/** Idempotent: a retry finds the commit it made (by the job id in its message) or the record of a removal. */
export async function finishWorkspace(input: FinishWorkspaceInput, config: Config): Promise<WorkspaceFinish> {
  const ws = input.workspace;
  if (ws.mode !== 'worktree' || !ws.branch) return { removed: false };
  const record = join(ws.jobDir, RECORD);
  if (!existsSync(ws.path)) {
    const done = existsSync(record) ? (JSON.parse(await readFile(record, 'utf8')) as WorkspaceFinish) : undefined;
    return done ?? { removed: false, error: `the workspace ${ws.path} is gone` };
  }
  const rec = await readRecord(ws.jobDir);
  if (!rec) return { removed: false, error: `no engine record of the worktree ${ws.path}: not committed` };
  const out: WorkspaceFinish = { removed: false };
  const tampered = await tamperedFiles(rec);
  const keep = config.jobs.keepWorktrees;
  const remove = !input.fixed && (keep === 'never' || (keep === 'failed' && !input.failed));
  const commit = tampered.length > 0 ? undefined : await commitWork(input, rec, !remove);
  if (tampered.length > 0) {
    // Its admin files as recorded (so git can remove it), its work not committed: no git ran on what the agent wrote.
    await restoreAdmin(rec);
    out.tampered = tampered;
    out.error = `the agent changed the workspace's git metadata (${tampered.join(', ')}): its work was not committed`;
  }
  if (commit) {
    out.commit = commit;
    const names = await gitOk(pathsOf(rec), ['show', ...NO_DRIVERS, '--name-only', '--format=', commit.sha]);
    out.files = names.split('\n').filter(Boolean).sort();
  }
  if (input.push && ws.origin && commit && !commit.failed) {
    await pushCommit(rec.commonDir, commit.sha, commit.branch);
    out.pushed = { origin: ws.origin, branch: commit.branch, commit: commit.sha };
  }
  const outside = await outsideWrites(ws.jobDir);
  if (outside.length > 0) out.outsideWrites = outside;
  if (remove) {
    await writeFile(record, JSON.stringify({ ...out, removed: true }));
    const empty = commit || tampered.length > 0 ? {} : { emptyBranch: rec.branch };
    await removeWorktree(pathsOf(rec), { mirror: !!ws.origin, ...empty });
    out.removed = true;
  }
  return out;
}

/** Commits what the job changed (the engine's own files excluded); a failed job's branch gets a `-failed` name. */
async function commitWork(
  input: FinishWorkspaceInput,
  given: GitRecord,
  kept: boolean,
): Promise<JobCommit | undefined> {
  const ws = input.workspace;
  let rec = given;
  const marker = `nightshift job ${input.jobId}`;
  const files = (await changedFiles(ws)).filter((f) => !input.exclude.includes(f));
  const failedTag = input.failed ? ' (failed)' : '';
  const message = `${input.title || input.jobId}\n\n${marker}${failedTag}`;
  const sha = await commitOnBranch(rec, ws.jobDir, files, message, kept);
  const at = pathsOf(rec);
  // Nothing new: a retried attempt may already have committed (its message names the job).
  const [parents = '', ...body] = (await gitOk(at, ['log', '-1', '--format=%P%n%B', sha])).split('\n');
  if (!body.join('\n').includes(marker)) return undefined;
  if (input.failed && !input.fixed && !rec.branch.endsWith('-failed')) {
    rec = await moveBranch(rec, ws.jobDir, `${rec.branch}-failed`, sha);
  }
  return {
    branch: rec.branch,
    sha,
    base: parents.split(' ')[0] ?? '',
    failed: input.failed,
    ...(await statOf(at, sha)),
  };
}

/** Files, insertions and deletions of one commit (a binary file counts as a file with no lines). */
async function statOf(at: GitPaths, sha: string): Promise<Pick<JobCommit, 'files' | 'insertions' | 'deletions'>> {
  const lines = (await gitOk(at, ['diff', ...NO_DRIVERS, '--numstat', `${sha}^`, sha])).split('\n').filter(Boolean);
  const nums = lines.map((l) =>
    l
      .split('\t')
      .slice(0, 2)
      .map((n) => Number(n) || 0),
  );
  return {
    files: lines.length,
    insertions: nums.reduce((sum, [a]) => sum + (a ?? 0), 0),
    deletions: nums.reduce((sum, [, d]) => sum + (d ?? 0), 0),
  };
}

/**
 * Drops the recorded worktree (and, when the job committed nothing, its empty branch, by ref) from the repo it
 * belongs to; a URL repo's mirror under its lock (a user's own repo gets no lock file beside it).
 */
export async function removeWorktree(at: GitPaths, opts: { mirror: boolean; emptyBranch?: string }): Promise<void> {
  const common: GitPaths = { gitDir: at.commonDir, commonDir: at.commonDir };
  const remove = async (): Promise<void> => {
    await gitOk(common, ['worktree', 'remove', '--force', at.workTree ?? '']);
    if (opts.emptyBranch) await git(common, ['branch', '-D', opts.emptyBranch]);
  };
  await (opts.mirror ? withMirrorLock(at.commonDir, remove) : remove());
}
