// Which `repos` entry a job's repo falls under: a local repo at or below a path, a URL by a glob (`*`: any run).
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { isRepoUrl } from '../protocol/repo.js';

const escape = (text: string): string => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** `*` matches any run of characters (slashes too); everything else is literal. */
const globPattern = (glob: string): string => glob.split('*').map(escape).join('.*');

/** A local repo: its absolute path, and the real one when a symlink leads there (macOS /tmp, a linked home). */
function pathForms(repo: string): string[] {
  const abs = resolve(repo);
  const real = existsSync(abs) ? realpathSync(abs) : abs;
  return real === abs ? [abs] : [abs, real];
}

/** A URL as given, and without its userinfo (`https://token@host/…`): a match names the host, not a credential. */
function urlForms(url: string): string[] {
  const bare = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/]*@/i, '$1');
  return bare === url ? [url] : [url, bare];
}

/** Whether `match` (a path or a URL, `*` allowed) covers `repo` (a local path or a URL, as a job spec holds it). */
export function repoMatches(match: string, repo: string): boolean {
  const url = isRepoUrl(repo);
  if (isRepoUrl(match) !== url) return false;
  // A path covers the repo itself and everything under it; a relative one is taken from the worker's directory.
  const pattern = url ? globPattern(match) : `${globPattern(resolve(match).replace(/\/+$/, ''))}(?:/.*)?`;
  const re = new RegExp(`^${pattern}$`);
  return (url ? urlForms(repo) : pathForms(repo)).some((form) => re.test(form));
}

/** The first entry whose `match` covers the repo. */
export const findRepoConfig = <R extends { match: string }>(repos: readonly R[], repo: string): R | undefined =>
  repos.find((r) => repoMatches(r.match, repo));
