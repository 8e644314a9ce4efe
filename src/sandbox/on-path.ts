// Where a program of the host is: the first `dir/name` that exists on PATH (then the fallback dirs given).
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export function onPath(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  fallback: string[] = [],
): string | undefined {
  const dirs = [...(env['PATH'] ?? '').split(delimiter).filter(Boolean), ...fallback];
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}
