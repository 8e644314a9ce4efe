// The one git runner for workspaces: no prompts (stdin closed, none for credentials), nightshift's identity on
// commits, no signing.
import { execa } from 'execa';

const IDENTITY = ['-c', 'user.name=nightshift', '-c', 'user.email=nightshift@localhost', '-c', 'commit.gpgsign=false'];

/** git in `cwd`; never throws for a non-zero exit (the caller reads exitCode). */
export const git = (cwd: string, args: string[]) =>
  execa('git', [...IDENTITY, ...args], { cwd, reject: false, stdin: 'ignore', env: { GIT_TERMINAL_PROMPT: '0' } });

/** git in `cwd`, its stdout as printed; a non-zero exit throws with git's own message. */
export async function gitOk(cwd: string, args: string[]): Promise<string> {
  const r = await git(cwd, args);
  if (r.exitCode !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

export const isGitRepo = async (dir: string): Promise<boolean> =>
  (await git(dir, ['rev-parse', '--is-inside-work-tree'])).stdout.trim() === 'true';

export const branchExists = async (repo: string, branch: string): Promise<boolean> =>
  (await git(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])).exitCode === 0;

/**
 * Paths git sees as changed (tracked edits, new untracked files), relative to the repo root. A rename's source
 * path is listed too (it is gone); a copy's source is unchanged and is not.
 */
export async function statusFiles(cwd: string): Promise<string[]> {
  const entries = (await gitOk(cwd, ['status', '--porcelain=v1', '-z', '--untracked-files=all'])).split('\0');
  const files: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] ?? '';
    if (entry.length <= 3) continue;
    files.push(entry.slice(3));
    const code = entry[0];
    if (code !== 'R' && code !== 'C') continue;
    i++; // -z puts a rename's or copy's source path in the next entry
    if (code === 'R' && entries[i]) files.push(entries[i] ?? '');
  }
  return [...new Set(files)].sort();
}

/** A merge left open with its conflicts in the files (a landing's resolver job finishes it); never committed here. */
export async function startMerge(path: string, ref: string): Promise<void> {
  await git(path, ['-c', 'core.hooksPath=/dev/null', 'merge', '--no-ff', '--no-commit', ref]);
}
