// A plain (non-git) workspace's snapshot: each file's size, mtime and content hash, so a job's creations, edits
// and deletions show without git. Bounded: engine and dependency dirs are skipped, at most MAX_FILES files.
import { lstat, readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileState } from './file-state.js';

const SKIPPED = new Set(['.git', '.nightshift', 'node_modules']);
const MAX_FILES = 20_000;
const MAX_HASH_BYTES = 8 * 1024 * 1024;
// Past this many bytes hashed, files are compared by size and mtime only: a baseline stays quick.
const MAX_HASHED_TOTAL = 256 * 1024 * 1024;
const MAX_REPORTED = 2_000;

/** One file: path (relative, '/'-separated), size, mtime, content hash ('' when too large to hash). */
export type DirEntry = [path: string, size: number, mtimeMs: number, hash: string];

export interface DirSnapshot {
  files: DirEntry[];
  /** Relative dirs not walked: the engine's data dir when it lies inside the workspace. */
  skip: string[];
  /** More than MAX_FILES files: not tracked (the job's changes then come from the agent's own report). */
  tooLarge?: boolean;
}

interface Seen {
  size: number;
  mtimeMs: number;
}

/** Every file under root, unless there are more than MAX_FILES (then `complete` is false). */
async function walk(root: string, skip: Set<string>): Promise<{ files: Map<string, Seen>; complete: boolean }> {
  const files = new Map<string, Seen>();
  const dirs = [''];
  for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
    const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIPPED.has(e.name) && !skip.has(rel)) dirs.push(rel);
        continue;
      }
      if (!e.isFile() && !e.isSymbolicLink()) continue;
      const st = await lstat(join(root, rel)).catch(() => undefined);
      if (!st) continue;
      if (files.size >= MAX_FILES) return { files, complete: false };
      files.set(rel, { size: st.size, mtimeMs: st.mtimeMs });
    }
  }
  return { files, complete: true };
}

const hashOf = async (root: string, path: string, size: number): Promise<string> =>
  size <= MAX_HASH_BYTES ? fileState(join(root, path)) : '';

/** The snapshot a job's changes are measured against; `dataDir` is skipped when it lies inside `root`. */
export async function snapshotDir(root: string, dataDir: string): Promise<DirSnapshot> {
  const rel = relative(root, dataDir);
  const skip = rel && !rel.startsWith('..') && !isAbsolute(rel) ? [rel.split(sep).join('/')] : [];
  const seen = await walk(root, new Set(skip));
  if (!seen.complete) return { files: [], skip, tooLarge: true };
  const files: DirEntry[] = [];
  let hashed = 0;
  for (const [path, st] of seen.files) {
    const hash = hashed + st.size <= MAX_HASHED_TOTAL ? await hashOf(root, path, st.size) : '';
    if (hash) hashed += st.size;
    files.push([path, st.size, st.mtimeMs, hash]);
  }
  return { files, skip };
}

/** Files created, modified or deleted since the snapshot; a touched file whose content is the same is not. */
export async function dirChanges(root: string, snap: DirSnapshot): Promise<string[]> {
  if (snap.tooLarge) return [];
  const now = await walk(root, new Set(snap.skip));
  const then = new Map(snap.files.map(([path, size, mtimeMs, hash]) => [path, { size, mtimeMs, hash }]));
  const changed: string[] = [];
  for (const [path, st] of now.files) {
    const before = then.get(path);
    if (!before || before.size !== st.size) changed.push(path);
    else if (before.mtimeMs !== st.mtimeMs && (!before.hash || (await hashOf(root, path, st.size)) !== before.hash))
      changed.push(path);
  }
  // Deletions are known only when the whole tree was seen.
  if (now.complete) for (const path of then.keys()) if (!now.files.has(path)) changed.push(path);
  return changed.sort().slice(0, MAX_REPORTED);
}
