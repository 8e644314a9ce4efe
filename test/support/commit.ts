// A finished job's work as the engine committed it: read from the repo its branch lives in, not the worktree.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import type { JobCommit, JobResult } from '../../src/protocol/result.js';

/** The text of `path` in commit `sha` of `repo`, byte for byte. */
export async function committedFile(repo: string, sha: string, path: string): Promise<string> {
  return (await execa('git', ['-C', repo, 'show', `${sha}:${path}`], { stripFinalNewline: false })).stdout;
}

/** The files commit `sha` of `repo` touches, sorted. */
export async function committedFiles(repo: string, sha: string): Promise<string[]> {
  const out = await execa('git', ['-C', repo, 'show', '--name-only', '--format=', sha]);
  return out.stdout.split('\n').filter(Boolean).sort();
}

/**
 * Asserts a job's work is committed on its branch in `repo` (the branch points at the commit, which touches exactly
 * `opts.touched` — by default `result.filesChanged` — and holds `files`) and that its worktree directory is gone,
 * or kept: by default a failed job's is kept (`jobs.keepWorktrees: failed`), its work on `<branch>-failed`.
 */
export async function assertCommitted(
  repo: string,
  result: JobResult,
  files: Record<string, string>,
  opts: { worktree: string; failed?: boolean; kept?: boolean; touched?: string[] },
): Promise<JobCommit> {
  const commit = result.commit;
  assert.ok(commit, `the job's work is committed (${result.commitError ?? 'no commit error'})`);
  assert.equal(commit.failed, opts.failed ?? false);
  assert.equal(result.branch, commit.branch);
  if (opts.failed) assert.match(commit.branch, /-failed$/, "a failed job's work is on its -failed branch");
  const tip = await execa('git', ['-C', repo, 'rev-parse', `refs/heads/${commit.branch}`]);
  assert.equal(tip.stdout.trim(), commit.sha, `${commit.branch} points at the job's commit`);
  const head = await execa('git', ['-C', repo, 'log', '-1', '--format=%an%n%B', commit.sha]);
  const [author, ...message] = head.stdout.trim().split('\n');
  assert.equal(author, 'nightshift');
  assert.match(message.join('\n'), new RegExp(`\\n\\nnightshift job ${result.jobId}\\b`), 'the message names the job');
  const touched = [...(opts.touched ?? result.filesChanged)].sort();
  assert.deepEqual(await committedFiles(repo, commit.sha), touched);
  assert.equal(commit.files, touched.length);
  for (const [path, text] of Object.entries(files)) assert.equal(await committedFile(repo, commit.sha, path), text);
  const kept = opts.kept ?? !!opts.failed;
  assert.equal(existsSync(opts.worktree), kept, kept ? 'the worktree is kept' : 'the worktree is removed');
  assert.equal(result.worktreeRemoved, kept ? undefined : true);
  return commit;
}
