// Each host's copy of a URL repo, `<dataDir>/mirrors/<name>.git`: cloned on first use, fetched before every job.
// A bare repo whose `origin` holds the real URL: the origin's branches land in refs/remotes/origin (so
// `fetch --prune` never touches the jobs' own branches in refs/heads, as a `clone --mirror` refspec would).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { git, gitOk } from './git.js';
import { remoteGitOk } from './git-remote.js';
import { withMirrorLock } from './mirror-lock.js';

/** The URL without its userinfo: one mirror per repo, whoever's credentials reach it. */
const withoutUserinfo = (url: string): string =>
  url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^\s/]*@/i, '$1').replace(/^[\w.-]+@(?=[\w.-]+:)/, '');

/** A readable, filesystem-safe name (host and path) plus a hash of the URL, so `a/b-c` and `a-b/c` differ. */
export function mirrorName(url: string): string {
  const bare = withoutUserinfo(url);
  const hash = createHash('sha256').update(bare).digest('hex').slice(0, 12);
  const readable = bare
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\.git\/?$/, '')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(-60);
  return `${readable || 'repo'}-${hash}`;
}

export const mirrorDir = (dataDir: string, url: string): string =>
  join(resolve(dataDir), 'mirrors', `${mirrorName(url)}.git`);

/** Runs `use` on the URL's mirror, brought up to date with its origin, holding the mirror's lock throughout. */
export async function withFreshMirror<T>(dataDir: string, url: string, use: (mirror: string) => Promise<T>) {
  const dir = mirrorDir(dataDir, url);
  await mkdir(dirname(dir), { recursive: true });
  return withMirrorLock(dir, async () => {
    if (existsSync(dir)) await refresh(dir, url);
    else await clone(dir, url);
    return use(dir);
  });
}

/** Built beside its place and renamed into it: a clone cut short never looks like a mirror. */
async function clone(dir: string, url: string): Promise<void> {
  const partial = `${dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  try {
    await gitOk(dirname(dir), ['init', '--bare', '--quiet', partial]);
    await remoteGitOk(partial, ['remote', 'add', 'origin', url], url, 'cannot add origin');
    await fetchOrigin(partial, url);
    await rename(partial, dir);
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}

async function refresh(dir: string, url: string): Promise<void> {
  // The URL's credentials may have changed (a rotated token): the newest job's URL is the one that works.
  const current = (await git(dir, ['config', '--get', 'remote.origin.url'])).stdout.trim();
  if (current !== url) await remoteGitOk(dir, ['remote', 'set-url', 'origin', url], url, 'cannot set origin');
  await fetchOrigin(dir, url);
}

async function fetchOrigin(dir: string, url: string): Promise<void> {
  await remoteGitOk(dir, ['fetch', '--prune', '--quiet', 'origin'], url, 'cannot fetch');
  // The origin's default branch, which a job's branch starts from (it may have changed since the clone).
  await git(dir, ['remote', 'set-head', 'origin', '--auto']);
}
