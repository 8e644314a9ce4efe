// What git inside the sandbox gets of a worktree, from the engine's record (never from the workspace's `.git`
// file, which the agent can rewrite): its own git dir and the object store writable (status, add), its admin
// files, the `.git` pointer and the object store's `info` (alternates) read-only, the common dir (refs, config,
// hooks) and the source repo's checkout read-only.
import { basename, dirname, join, resolve } from 'node:path';
import { readRecord } from '../workspace/git-record.js';

export interface GitBinds {
  readOnly: string[];
  writable: string[];
  /** The source repo's own working tree (a worktree's main checkout), when there is one. */
  mainCheckout?: string;
}

/** Bound read-only over the writable worktree git dir (bwrap mounts deeper paths last, so they win). */
export const ADMIN_FILES = ['HEAD', 'commondir', 'gitdir', 'config', 'config.worktree'] as const;

/** For the worktree `cwd` as its job dir records it; anything else (scratch, in-place, no record) gets no git binds. */
export async function gitBinds(jobDir: string | undefined, cwd: string): Promise<GitBinds> {
  const rec = jobDir ? await readRecord(jobDir) : undefined;
  if (!rec || resolve(rec.workTree) !== resolve(cwd)) return { readOnly: [], writable: [] };
  const common = rec.commonDir;
  const mainCheckout = basename(common) === '.git' ? dirname(common) : undefined;
  return {
    readOnly: [
      mainCheckout ?? common,
      join(rec.workTree, '.git'),
      ...ADMIN_FILES.map((f) => join(rec.gitDir, f)),
      join(common, 'objects', 'info'),
    ],
    writable: [rec.gitDir, join(common, 'objects')],
    ...(mainCheckout ? { mainCheckout } : {}),
  };
}
