// Files an adapter writes for its CLI (settings, plugins, patches): written whole, never seen half-written.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes `text` to `file` unless it already holds it; tmp + rename, so parallel runs never read half a file. */
export async function writeFileOnce(file: string, text: string): Promise<void> {
  if (existsSync(file) && (await readFile(file, 'utf8').catch(() => undefined)) === text) return;
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}
