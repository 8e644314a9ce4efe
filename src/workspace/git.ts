// The one git runner for workspaces: no prompts (stdin closed), nightshift's identity on commits, no signing.
import { execa } from 'execa';

const IDENTITY = ['-c', 'user.name=nightshift', '-c', 'user.email=nightshift@localhost', '-c', 'commit.gpgsign=false'];

/** git in `cwd`; never throws for a non-zero exit (the caller reads exitCode). */
export const git = (cwd: string, args: string[]) =>
  execa('git', [...IDENTITY, ...args], { cwd, reject: false, stdin: 'ignore' });

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
