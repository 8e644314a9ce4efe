// The end of a job's workspace: its changes committed on its branch (a failed job's on `<branch>-failed`), a URL
// repo's approved branch pushed, and the worktree directory removed unless `jobs.keepWorktrees` keeps it.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import type { FinishWorkspaceInput } from '../protocol/activities.js';
import type { JobCommit, WorkspaceFinish } from '../protocol/result.js';
import { changedFiles } from './changes.js';
import { commitBranch } from './commit.js';
import { git, gitOk } from './git.js';
import { withMirrorLock } from './mirror-lock.js';
import { outsideWrites } from './outside-writes.js';
import { pushCommit } from './publish.js';

const RECORD = 'finish.json'; // in the job dir: a retry after the worktree is gone returns what the first attempt did

/** Idempotent: a retry finds the commit it made (by the job id in its message) or the record of a removal. */
export async function finishWorkspace(input: FinishWorkspaceInput, config: Config): Promise<WorkspaceFinish> {
  const ws = input.workspace;
  if (ws.mode !== 'worktree' || !ws.branch) return { removed: false };
  const record = join(ws.jobDir, RECORD);
  if (!existsSync(ws.path)) {
    const done = existsSync(record) ? (JSON.parse(await readFile(record, 'utf8')) as WorkspaceFinish) : undefined;
    return done ?? { removed: false, error: `the workspace ${ws.path} is gone` };
  }
  const commit = await commitWork(input, ws.branch);
  const out: WorkspaceFinish = { removed: false };
  if (commit) out.commit = commit;
  if (commit)
    out.files = (await gitOk(ws.path, ['show', '--name-only', '--format=', commit.sha]))
      .split('\n')
      .filter(Boolean)
      .sort();
  if (input.push && ws.origin && commit && !commit.failed) {
    await pushCommit(ws.path, commit.sha, commit.branch);
    out.pushed = { origin: ws.origin, branch: commit.branch, commit: commit.sha };
  }
  const outside = await outsideWrites(ws.jobDir);
  if (outside.length > 0) out.outsideWrites = outside;
  const keep = config.jobs.keepWorktrees;
  if (!input.fixed && (keep === 'never' || (keep === 'failed' && !input.failed))) {
    await writeFile(record, JSON.stringify({ ...out, removed: true }));
    await removeWorktree(ws.path, { mirror: !!ws.origin, ...(commit ? {} : { emptyBranch: ws.branch }) });
    out.removed = true;
  }
  return out;
}

/** Commits what the job changed (the engine's own files excluded); a failed job's branch gets a `-failed` name. */
async function commitWork(input: FinishWorkspaceInput, branch: string): Promise<JobCommit | undefined> {
  const ws = input.workspace;
  const marker = `nightshift job ${input.jobId}`;
  const files = (await changedFiles(ws)).filter((f) => !input.exclude.includes(f));
  const before = (await gitOk(ws.path, ['rev-parse', 'HEAD'])).trim();
  const failedTag = input.failed ? ' (failed)' : '';
  const message = `${input.title || input.jobId}\n\n${marker}${failedTag}`;
  const sha = files.length > 0 ? await commitBranch({ cwd: ws.path, files, message }) : before;
  // Nothing new: a retried attempt may already have committed (its message names the job).
  const head = (await gitOk(ws.path, ['log', '-1', '--format=%B', sha])).trim();
  if (!head.includes(marker)) return undefined;
  let name = (await gitOk(ws.path, ['symbolic-ref', '--short', 'HEAD'])).trim();
  if (input.failed && !input.fixed && !name.endsWith('-failed')) {
    await gitOk(ws.path, ['branch', '-M', `${branch}-failed`]);
    name = `${branch}-failed`;
  }
  return {
    branch: name,
    sha,
    base: (await gitOk(ws.path, ['rev-parse', `${sha}^`])).trim(),
    failed: input.failed,
    ...(await statOf(ws.path, sha)),
  };
}

/** Files, insertions and deletions of one commit (a binary file counts as a file with no lines). */
async function statOf(cwd: string, sha: string): Promise<Pick<JobCommit, 'files' | 'insertions' | 'deletions'>> {
  const lines = (await gitOk(cwd, ['diff', '--numstat', `${sha}^`, sha])).split('\n').filter(Boolean);
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
 * Drops the worktree (and, when the job committed nothing, its empty branch) from the repo it belongs to; a URL
 * repo's mirror under its lock (a user's own repo gets no lock file beside it).
 */
export async function removeWorktree(path: string, opts: { mirror: boolean; emptyBranch?: string }): Promise<void> {
  const common = resolve(path, (await gitOk(path, ['rev-parse', '--git-common-dir'])).trim());
  const remove = async (): Promise<void> => {
    await gitOk(common, ['worktree', 'remove', '--force', path]);
    if (opts.emptyBranch) await git(common, ['branch', '-D', opts.emptyBranch]);
  };
  await (opts.mirror ? withMirrorLock(common, remove) : remove());
}
