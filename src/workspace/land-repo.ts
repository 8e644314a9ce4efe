// The repo a merge queue lands in, on this host: a local repo as it is, a URL repo through its fetched mirror.
import type { Config } from '../config/schema.js';
import { encodeFailure, FailureClass } from '../protocol/failures.js';
import { isRepoUrl, maskRepoUrl } from '../protocol/repo.js';
import { git } from './git.js';
import { withFreshMirror } from './mirror.js';

export interface LandRepo {
  /** Where git runs: the local repo, or the mirror. */
  dir: string;
  /** The target as this repo sees it: `refs/heads/<t>` locally, `refs/remotes/origin/<t>` in a mirror. */
  targetRef: string;
  /** A URL repo: the target moves on the origin, by push. */
  url?: string;
}

/** Bad landing input (a branch or target that is not there): one attempt, a clean error naming it. */
export const landFailed = (message: string) => encodeFailure(FailureClass.LandFailed, message, { nonRetryable: true });

/** Runs `use` in the repo; a mirror is fetched first and stays locked while `use` runs. */
export async function withLandRepo<T>(
  config: Config,
  repo: string,
  target: string,
  use: (r: LandRepo) => Promise<T>,
): Promise<T> {
  if (!isRepoUrl(repo)) return use({ dir: repo, targetRef: `refs/heads/${target}` });
  return withFreshMirror(config.dataDir, repo, (dir) =>
    use({ dir, targetRef: `refs/remotes/origin/${target}`, url: repo }),
  );
}

/** The commit `ref` names, or a LandFailed naming what is missing. */
export async function commitOf(r: LandRepo, ref: string, what: string): Promise<string> {
  const out = await git(r.dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (out.exitCode !== 0) throw landFailed(`${what} ${ref} is not in ${isRepoUrl(r.dir) ? maskRepoUrl(r.dir) : r.dir}`);
  return out.stdout.trim();
}

export const isAncestor = async (dir: string, a: string, b: string): Promise<boolean> =>
  (await git(dir, ['merge-base', '--is-ancestor', a, b])).exitCode === 0;
