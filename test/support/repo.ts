import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/** A throwaway git repo with one committed file. */
export async function makeRepo(files: Record<string, string> = { 'README.md': '# demo\n' }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-repo-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const git = (...args: string[]) => execa('git', args, { cwd: dir });
  await git('init', '-q', '-b', 'main');
  await git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '.');
  await git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'init');
  return dir;
}
