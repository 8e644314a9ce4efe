// What a shared or in-place workspace already held when a job began, by content: kept in the job dir (it can be
// large), so the payload carries only its path. A job's changes are measured against it.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkspaceInfo } from '../protocol/result.js';
import { snapshotDir, type DirSnapshot } from './dir-snapshot.js';
import { gitBaseline, type GitBaseline } from './git-baseline.js';
import { gitAtOf } from './git-record.js';

export type Baseline = { kind: 'git'; files: GitBaseline } | ({ kind: 'dir' } & DirSnapshot);

/**
 * Records the baseline of `info`'s workspace in its job dir. In git, `baseline` keeps the changed names too
 * (what older workers read); a plain dir's snapshot lives only in the file (it lists every file).
 */
export async function takeBaseline(info: WorkspaceInfo, isGit: boolean, dataDir: string): Promise<WorkspaceInfo> {
  const baselineFile = join(info.jobDir, 'workspace-baseline.json');
  let baseline: Baseline;
  let names: string[] = [];
  if (isGit) {
    baseline = { kind: 'git', files: await gitBaseline(await gitAtOf(info)) };
    names = baseline.files.map(([path]) => path);
  } else baseline = { kind: 'dir', ...(await snapshotDir(info.path, dataDir)) };
  await writeFile(baselineFile, JSON.stringify(baseline));
  return { ...info, baseline: names, baselineFile };
}

/** The recorded baseline; undefined when the file is gone or unreadable (then names are all there is). */
export async function readBaseline(file: string): Promise<Baseline | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Baseline;
  } catch {
    return undefined;
  }
}
