// An unsandboxed job can write anywhere: what it changed in its source repo's own checkout (outside its worktree)
// is found by comparing that checkout's `git status` (with content hashes) before and after the job.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gitBaseline, gitChanges, type GitBaseline } from './git-baseline.js';

const FILE = 'source-before.json';
const MAX = 200;

interface SourceBefore {
  repo: string;
  baseline: GitBaseline;
}

/** Before the agent: the source checkout's changed files and their content, kept in the job dir. */
export async function watchSource(repo: string, jobDir: string): Promise<void> {
  const before: SourceBefore = { repo, baseline: await gitBaseline(repo) };
  await writeFile(join(jobDir, FILE), JSON.stringify(before));
}

/** After the job: the checkout's files (absolute) that changed since; none when it was not watched. */
export async function outsideWrites(jobDir: string): Promise<string[]> {
  const file = join(jobDir, FILE);
  if (!existsSync(file)) return [];
  const before = JSON.parse(await readFile(file, 'utf8')) as SourceBefore;
  const changed = await gitChanges(before.repo, before.baseline);
  return changed.slice(0, MAX).map((f) => join(before.repo, f));
}
