// The one git runner for workspaces: no prompts (stdin closed, none for credentials), nightshift's identity on
// commits, no signing, and none of the repo's executable config (fsmonitor, hooks, pager, editor) — a workspace's
// git metadata may have been written by its agent. A recorded worktree (GitPaths) is reached only through the
// paths the engine recorded, with system and global config ignored.
import { dirname } from 'node:path';
import { execa } from 'execa';

const IDENTITY = ['-c', 'user.name=nightshift', '-c', 'user.email=nightshift@localhost', '-c', 'commit.gpgsign=false'];

/** Command-line config wins over every file: what git could otherwise run on the host from a repo's config. */
const HARDEN = [
  ...['-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null', '-c', 'core.pager=cat'],
  ...['-c', 'core.editor=false', '-c', 'sequence.editor=false', '-c', 'core.askPass=', '-c', 'gpg.program=false'],
];

/** A worktree as the engine recorded it when it made it: never read back from the workspace's `.git` file. */
export interface GitPaths {
  /** The worktree's own git dir (`<common>/worktrees/<name>`), or the repo's git dir. */
  gitDir: string;
  /** The repo's common dir (objects, refs, config). */
  commonDir: string;
  /** The checkout; absent for a bare repo (a mirror). */
  workTree?: string;
}

/** Where git runs: a directory (git discovers the repo, hardened flags only) or a recorded worktree. */
export type GitAt = string | GitPaths;

/** The worker's environment without any GIT_* variable (GIT_DIR, GIT_INDEX_FILE… must not steer host git). */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('GIT_')) env[k] = v;
  return { ...env, GIT_TERMINAL_PROMPT: '0' };
}

/** A recorded worktree's env: its common dir fixed (a `commondir` file the agent wrote is not read), no config but the repo's. */
const strictEnv = (p: GitPaths): Record<string, string> => ({
  ...baseEnv(),
  GIT_COMMON_DIR: p.commonDir,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CEILING_DIRECTORIES: dirname(p.workTree ?? p.gitDir),
  GIT_OPTIONAL_LOCKS: '0',
});

/** git at `at`; never throws for a non-zero exit (the caller reads exitCode). `extra` adds env (GIT_INDEX_FILE). */
export const git = (at: GitAt, args: string[], extra: Record<string, string> = {}) => {
  const opts = { reject: false, stdin: 'ignore', extendEnv: false } as const;
  if (typeof at === 'string')
    return execa('git', [...HARDEN, ...IDENTITY, ...args], { ...opts, cwd: at, env: { ...baseEnv(), ...extra } });
  const dirs = [`--git-dir=${at.gitDir}`, ...(at.workTree ? [`--work-tree=${at.workTree}`] : [])];
  const env = { ...strictEnv(at), ...extra };
  return execa('git', [...dirs, ...HARDEN, ...IDENTITY, ...args], { ...opts, cwd: at.workTree ?? at.gitDir, env });
};

/** git at `at`, its stdout as printed; a non-zero exit throws with git's own message. */
export async function gitOk(at: GitAt, args: string[], extra: Record<string, string> = {}): Promise<string> {
  const r = await git(at, args, extra);
  if (r.exitCode !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

export const isGitRepo = async (dir: string): Promise<boolean> =>
  (await git(dir, ['rev-parse', '--is-inside-work-tree'])).stdout.trim() === 'true';

export const branchExists = async (repo: GitAt, branch: string): Promise<boolean> =>
  (await git(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])).exitCode === 0;

/**
 * Paths git sees as changed (tracked edits, new untracked files), relative to the repo root. A rename's source
 * path is listed too (it is gone); a copy's source is unchanged and is not.
 */
export async function statusFiles(at: GitAt): Promise<string[]> {
  const entries = (await gitOk(at, ['status', '--porcelain=v1', '-z', '--untracked-files=all'])).split('\0');
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
export async function startMerge(at: GitAt, ref: string): Promise<void> {
  await git(at, ['merge', '--no-ff', '--no-commit', ref]);
}
