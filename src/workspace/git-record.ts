// The engine's own record of a worktree: its git paths and the content of its admin files, taken before any agent
// ran and kept in the job dir (hidden from the sandbox). Host-side git reaches a worktree only through it, and a
// workspace whose `.git` file, HEAD, commondir, gitdir or the repo's config and hooks differ from it is tampered.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { encodeFailure, FailureClass } from '../protocol/failures.js';
import type { WorkspaceInfo } from '../protocol/result.js';
import { gitOk, type GitAt, type GitPaths } from './git.js';

const FILE = 'git-record.json';

export interface GitRecord {
  gitDir: string;
  commonDir: string;
  workTree: string;
  branch: string;
  /** The commit an open merge (a landing's resolver job) joins in: the second parent of the job's commit. */
  mergeHead?: string;
  /** Watched file → its content when recorded (null: absent); hooks and config as a hash. */
  admin: Record<string, string | null>;
}

/** What a worktree's admin file is called in the record, and where it lives. */
const WORKTREE_FILES = ['HEAD', 'commondir', 'gitdir', 'config.worktree'] as const;
const watched = (r: Pick<GitRecord, 'gitDir' | 'commonDir' | 'workTree'>): [string, string][] => [
  ['.git', join(r.workTree, '.git')],
  ...WORKTREE_FILES.map((f): [string, string] => [f, join(r.gitDir, f)]),
  ['common config', join(r.commonDir, 'config')],
  ['common info/attributes', join(r.commonDir, 'info', 'attributes')],
];

const read = (file: string): Promise<string | null> => readFile(file, 'utf8').catch(() => null);

/** The repo's hooks (names and contents) as one hash: a hook added or changed shows. */
async function hooksHash(commonDir: string): Promise<string> {
  const dir = join(commonDir, 'hooks');
  const names = (await readdir(dir).catch(() => [] as string[])).sort();
  const h = createHash('sha256');
  for (const n of names) h.update(`${n}\0${(await read(join(dir, n))) ?? ''}\0`);
  return h.digest('hex');
}

async function snapshot(r: Pick<GitRecord, 'gitDir' | 'commonDir' | 'workTree'>): Promise<GitRecord['admin']> {
  const admin: GitRecord['admin'] = {};
  for (const [name, file] of watched(r)) admin[name] = await read(file);
  admin['common hooks'] = await hooksHash(r.commonDir);
  return admin;
}

export const recordFile = (jobDir: string): string => join(jobDir, FILE);

export async function readRecord(jobDir: string): Promise<GitRecord | undefined> {
  const text = await read(recordFile(jobDir));
  return text ? (JSON.parse(text) as GitRecord) : undefined;
}

/** The paths host git uses for a workspace: its record's, else (no worktree, an older record) the directory. */
export async function gitAtOf(ws: Pick<WorkspaceInfo, 'path' | 'jobDir'>): Promise<GitAt> {
  const r = await readRecord(ws.jobDir);
  return r ? pathsOf(r) : ws.path;
}

export const pathsOf = (r: GitRecord): GitPaths => ({ gitDir: r.gitDir, commonDir: r.commonDir, workTree: r.workTree });

/**
 * Records a worktree made just now (no agent has run in it): git's own answer for its dirs, an empty
 * `config.worktree` (so the sandbox can mount it read-only: the agent cannot create one) and the admin snapshot.
 */
export async function recordWorktree(jobDir: string, workTree: string, branch: string): Promise<GitRecord> {
  const args = ['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir'];
  const [gitDir = '', commonDir = ''] = (await gitOk(workTree, args)).trim().split('\n');
  return saveRecord(jobDir, { gitDir, commonDir, workTree, branch });
}

/** A worktree that existed before this job (a fixed workspace): its dirs derived from the repo, never its `.git`. */
export async function recordExisting(
  jobDir: string,
  repo: string,
  workTree: string,
  branch: string,
): Promise<GitRecord> {
  const commonDir = (await gitOk(repo, ['rev-parse', '--path-format=absolute', '--git-common-dir'])).trim();
  const admins = join(commonDir, 'worktrees');
  const names = await readdir(admins).catch(() => [] as string[]);
  const dotGit = resolve(workTree, '.git');
  let gitDir: string | undefined;
  for (const n of names) if ((await read(join(admins, n, 'gitdir')))?.trim() === dotGit) gitDir = join(admins, n);
  const bad = (what: string) =>
    encodeFailure(FailureClass.WorkspaceTampered, `workspace ${workTree}: ${what}`, { nonRetryable: true });
  if (!gitDir) throw bad(`no worktree of ${commonDir} is registered at this path`);
  const want: Record<string, string> = { HEAD: `ref: refs/heads/${branch}`, '.git': `gitdir: ${gitDir}` };
  if ((await read(join(gitDir, 'HEAD')))?.trim() !== want['HEAD']) throw bad(`its HEAD is not ${want['HEAD']}`);
  if ((await read(dotGit))?.trim() !== want['.git']) throw bad(`its .git does not point at ${gitDir}`);
  const common = (await read(join(gitDir, 'commondir')))?.trim() ?? '';
  if (resolve(gitDir, common) !== resolve(commonDir)) throw bad(`its commondir does not point at ${commonDir}`);
  return saveRecord(jobDir, { gitDir, commonDir, workTree, branch });
}

async function saveRecord(jobDir: string, r: Omit<GitRecord, 'admin'>): Promise<GitRecord> {
  const worktreeConfig = join(r.gitDir, 'config.worktree');
  if (!existsSync(worktreeConfig)) await writeFile(worktreeConfig, '');
  const mergeHead = (await read(join(r.gitDir, 'MERGE_HEAD')))?.trim();
  const record: GitRecord = { ...r, ...(mergeHead ? { mergeHead } : {}), admin: await snapshot(r) };
  await writeFile(recordFile(jobDir), JSON.stringify(record));
  return record;
}

/** What differs from the record (empty: untouched). Plain file reads: no git runs on a tampered state. */
export async function tamperedFiles(r: GitRecord): Promise<string[]> {
  const now = await snapshot(r);
  const dotGit = await lstat(join(r.workTree, '.git')).catch(() => undefined);
  const changed = Object.keys(r.admin).filter((k) => now[k] !== r.admin[k]);
  if (dotGit && !dotGit.isFile() && !changed.includes('.git')) changed.push('.git');
  return changed.sort();
}

/** The worktree's admin files as recorded (so its removal works); the repo's own config and hooks are not touched. */
export async function restoreAdmin(r: GitRecord): Promise<void> {
  for (const [name, file] of watched(r)) {
    const was = r.admin[name];
    if (name.startsWith('common ') || was === undefined) continue;
    if (name === '.git') await rm(file, { recursive: true, force: true });
    if (was === null) await rm(file, { force: true });
    else await writeFile(file, was);
  }
}

/** A WorkspaceTampered failure naming what changed. */
export const tamperedFailure = (path: string, changed: string[]) =>
  encodeFailure(FailureClass.WorkspaceTampered, `workspace ${path} was tampered with: ${changed.join(', ')} changed`, {
    nonRetryable: true,
  });

/**
 * The record of a job's worktree: this job's (a retried attempt: checked for tampering first), else taken now — from
 * git for a worktree made just now, from the repo's registry for one that was there before.
 */
export async function recordOf(jobDir: string, repo: string, workTree: string, branch: string, made: boolean) {
  const had = await readRecord(jobDir);
  if (had) {
    const changed = await tamperedFiles(had);
    if (changed.length > 0) throw tamperedFailure(workTree, changed);
    return had;
  }
  return made ? recordWorktree(jobDir, workTree, branch) : recordExisting(jobDir, repo, workTree, branch);
}
