// File paths a CLI reports, as the workspace-relative names a result lists.
import { isAbsolute, relative } from 'node:path';
import type { ParsedRun } from '../contract.js';

/** `path` relative to the workspace, or undefined when it lies outside it (or is not a path). */
export function workspaceRelative(workspace: string, path: unknown): string | undefined {
  if (typeof path !== 'string' || !path) return undefined;
  const rel = isAbsolute(path) ? relative(workspace, path) : path;
  return rel.startsWith('..') ? undefined : rel;
}

/** Records a file the agent wrote, once; paths outside the workspace are not the job's changes. */
export function touchFile(run: ParsedRun, workspace: string, path: unknown): void {
  const rel = workspaceRelative(workspace, path);
  if (rel !== undefined && !run.filesTouched.includes(rel)) run.filesTouched.push(rel);
}
