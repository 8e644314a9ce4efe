// The workspace's change as a reviewer reads it: the tracked diff plus new files' contents, bounded.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkspaceInfo } from '../protocol/result.js';
import { gitAtOf } from './git-record.js';
import { git } from './git.js';

const DIFF_LIMIT = 60_000;

export async function workspaceDiff(ws: WorkspaceInfo): Promise<string> {
  // Through the engine's record, with no diff driver or textconv the repo's config could name.
  const at = await gitAtOf(ws);
  const tracked = (await git(at, ['diff', '--no-ext-diff', '--no-textconv', 'HEAD'])).stdout;
  const untracked = (await git(at, ['ls-files', '--others', '--exclude-standard'])).stdout.split('\n').filter(Boolean);
  const added = await Promise.all(
    untracked.map(
      async (f) =>
        `--- /dev/null\n+++ b/${f}\n${(await readFile(join(ws.path, f), 'utf8').catch(() => '')).replace(/^/gm, '+')}`,
    ),
  );
  const diff = [tracked, ...added].join('\n');
  return diff.length > DIFF_LIMIT ? `${diff.slice(0, DIFF_LIMIT)}\n[diff truncated]` : diff;
}
