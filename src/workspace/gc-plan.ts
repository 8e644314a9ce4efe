// Plans a gc pass over this host's data dir without changing anything: stale worktrees (leftover work committed
// first), stale job dirs, the repos and mirrors to prune, and with --branches the branches to delete or keep.
import { lstat, readdir, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { GcAction, GcOptions, GcPlan, GcRepo } from './gc.js';
import { planBranches } from './gc-branches.js';
import { pathsOf, readRecord, tamperedFiles, type GitRecord } from './git-record.js';
import { git, statusFiles } from './git.js';

interface Entry {
  name: string;
  path: string;
  ageMs: number;
}

/** What the worktree pass learned: every repo seen, the worktrees going, the branches that get a leftover commit. */
interface Seen {
  repos: Map<string, GcRepo>;
  touched: Set<string>;
  removed: Set<string>;
  committed: Set<string>;
}

export async function planGc(opts: GcOptions): Promise<GcPlan> {
  const running = memo(opts.isRunning);
  const mirrorsDir = await real(join(opts.dataDir, 'mirrors'));
  const seen: Seen = { repos: new Map(), touched: new Set(), removed: new Set(), committed: new Set() };
  const actions: GcAction[] = [];
  for (const wt of await entries(join(opts.dataDir, 'worktrees'), opts.now)) {
    // The job's record of its worktree (when its job dir is still there): its paths, never its `.git` file.
    const jobDir = join(opts.dataDir, 'jobs', wt.name);
    const rec = await readRecord(jobDir).then(async (r) => (r && (await real(r.workTree)) === wt.path ? r : undefined));
    const repo = await repoOf(wt.path, mirrorsDir, rec);
    if (repo) seen.repos.set(repo.gitDir, repo);
    if (wt.ageMs < opts.olderThanMs) continue;
    if (await running(wt.name)) actions.push(skipRunning(wt));
    else actions.push(...(await planWorktree(wt, repo, seen, rec && { rec, jobDir })));
  }
  for (const dir of await entries(join(opts.dataDir, 'jobs'), opts.now)) {
    if (dir.ageMs < opts.olderThanMs) continue;
    if (await running(dir.name)) actions.push(skipRunning(dir));
    else actions.push({ kind: 'delete-job-dir', ...jobOf(dir), bytes: await diskUsage(dir.path) });
  }
  for (const m of await entries(mirrorsDir, opts.now)) {
    if (!m.name.endsWith('.git')) continue; // a `.lock`, or a clone cut short (`.partial`)
    seen.repos.set(m.path, { gitDir: m.path, repo: m.path, mirror: true });
    seen.touched.add(m.path);
  }
  // Only mirrors are this host's alone: a prune in a user's repo that other hosts share would drop their live
  // worktrees (missing here, present there); `worktree remove` above already unregistered ours.
  for (const gitDir of seen.touched) {
    const repo = seen.repos.get(gitDir) as GcRepo;
    if (repo.mirror) actions.push({ kind: 'prune', repo });
  }
  if (opts.branches) {
    for (const repo of seen.repos.values()) {
      actions.push(...(await planBranches(repo, { ...seen, unlanded: opts.unlanded })));
    }
  }
  const bytes = actions.reduce((n, a) => n + ('bytes' in a ? a.bytes : 0), 0);
  return { actions, bytes };
}

async function planWorktree(
  wt: Entry,
  repo: GcRepo | undefined,
  seen: Seen,
  recorded?: { rec: GitRecord; jobDir: string },
): Promise<GcAction[]> {
  const { name: jobId, path, ageMs } = wt;
  const remove = { kind: 'remove-worktree', path, jobId, ageMs, bytes: await diskUsage(path) } as const;
  if (!repo) return [remove];
  try {
    const tampered = recorded ? await tamperedFiles(recorded.rec) : [];
    if (tampered.length > 0) {
      return [
        { kind: 'skip', path, jobId, reason: `its git metadata was changed (${tampered.join(', ')}): left as is` },
      ];
    }
    const at = recorded ? pathsOf(recorded.rec) : path;
    const branch = recorded?.rec.branch ?? (await git(path, ['symbolic-ref', '--short', '-q', 'HEAD'])).stdout.trim();
    // A commit on a detached HEAD would belong to no branch: removing the worktree could lose work.
    if (!branch) return [{ kind: 'skip', path, jobId, reason: 'detached HEAD, not on a branch: left as is' }];
    const dirty = (await statusFiles(at)).length > 0;
    seen.touched.add(repo.gitDir);
    seen.removed.add(path);
    if (!dirty) return [{ ...remove, repo }];
    seen.committed.add(`${repo.gitDir}\0${branch}`);
    return [
      { kind: 'commit', path, jobId, branch, ...(recorded ? { jobDir: recorded.jobDir } : {}) },
      { ...remove, repo },
    ];
  } catch (err) {
    return [{ kind: 'skip', path, jobId, reason: `git cannot read it: ${(err as Error).message.split('\n')[0]}` }];
  }
}

const jobOf = (e: Entry) => ({ path: e.path, jobId: e.name, ageMs: e.ageMs });
const skipRunning = (e: Entry): GcAction => ({ kind: 'skip', ...jobOf(e), reason: `job ${e.name} is still running` });

/** The repo a worktree dir belongs to, or undefined when it is no worktree any more (git would find an outer repo). */
async function repoOf(path: string, mirrorsDir: string, rec?: GitRecord): Promise<GcRepo | undefined> {
  if (rec) return repoAt(await real(rec.commonDir), mirrorsDir);
  const top = await git(path, ['rev-parse', '--show-toplevel']);
  if (top.exitCode !== 0 || (await real(top.stdout.trim())) !== (await real(path))) return undefined;
  const common = await git(path, ['rev-parse', '--git-common-dir']);
  if (common.exitCode !== 0) return undefined;
  return repoAt(await real(resolve(path, common.stdout.trim())), mirrorsDir);
}

function repoAt(gitDir: string, mirrorsDir: string): GcRepo {
  const mirror = dirname(gitDir) === mirrorsDir;
  return { gitDir, mirror, repo: mirror || basename(gitDir) !== '.git' ? gitDir : dirname(gitDir) };
}

/** The directories in `dir` (real paths) with their age by mtime; none when `dir` does not exist. */
async function entries(dir: string, now: number): Promise<Entry[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: Entry[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    const info = await lstat(path).catch(() => undefined);
    if (info?.isDirectory()) out.push({ name, path: await real(path), ageMs: Math.round(now - info.mtimeMs) });
  }
  return out;
}

const real = (path: string): Promise<string> => realpath(path).catch(() => resolve(path));

/** A job's running state asked once, however many of its entries are stale. */
function memo(isRunning: GcOptions['isRunning']): (jobId: string) => Promise<boolean> {
  const asked = new Map<string, Promise<boolean>>();
  return (jobId) => {
    if (!isRunning) return Promise.resolve(false);
    const answer = asked.get(jobId) ?? isRunning(jobId);
    asked.set(jobId, answer);
    return answer;
  };
}

/** Bytes on disk under `path`, like `du` (symlinks not followed, a hard-linked file counted once). */
export async function diskUsage(path: string, seen = new Set<string>()): Promise<number> {
  const info = await lstat(path).catch(() => undefined);
  if (!info || seen.has(`${info.dev}:${info.ino}`)) return 0;
  seen.add(`${info.dev}:${info.ino}`);
  const own = typeof info.blocks === 'number' ? info.blocks * 512 : info.size;
  if (!info.isDirectory()) return own;
  const names = await readdir(path).catch(() => [] as string[]);
  const sizes = await Promise.all(names.map((n) => diskUsage(join(path, n), seen)));
  return sizes.reduce((a, b) => a + b, own);
}
