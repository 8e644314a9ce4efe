// A file's content as a short comparable string: what a baseline records and a later look compares against.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';

/** sha256 of a file's bytes, streamed (a large file is never held in memory). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** '' when absent; a symlink by its target; a directory (a submodule) as 'dir'; a file by its content hash. */
export async function fileState(path: string): Promise<string> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return '';
  if (st.isSymbolicLink()) return `-> ${await readlink(path)}`;
  if (!st.isFile()) return 'dir';
  return sha256File(path);
}
