// What git inside the sandbox needs of a worktree: its own git dir and the object store writable (status, add),
// the common dir (refs, config) and the source repo's checkout readable.
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

export interface GitBinds {
  readOnly: string[];
  writable: string[];
  /** The source repo's own working tree (a worktree's main checkout), when there is one. */
  mainCheckout?: string;
}

/** For a linked worktree (`.git` is a file); a workspace that is a repo itself needs nothing. */
export async function gitBinds(workspace: string): Promise<GitBinds> {
  const none: GitBinds = { readOnly: [], writable: [] };
  const dotGit = join(workspace, '.git');
  const st = await stat(dotGit).catch(() => undefined);
  if (!st?.isFile()) return none;
  const m = /^gitdir:\s*(.+)$/m.exec(await readFile(dotGit, 'utf8'));
  if (!m?.[1]) return none;
  const gitDir = resolve(workspace, m[1].trim());
  const common = await readFile(join(gitDir, 'commondir'), 'utf8').then(
    (c) => (isAbsolute(c.trim()) ? c.trim() : resolve(gitDir, c.trim())),
    () => gitDir,
  );
  const mainCheckout = basename(common) === '.git' ? dirname(common) : undefined;
  return {
    readOnly: [mainCheckout ?? common],
    writable: [gitDir, join(common, 'objects')],
    ...(mainCheckout ? { mainCheckout } : {}),
  };
}
