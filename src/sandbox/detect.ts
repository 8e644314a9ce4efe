// Which sandbox this host gives its agents and checks: bubblewrap when it is installed and works here, else none.
import { spawnSync } from 'node:child_process';
import type { Config } from '../config/schema.js';
import type { JobSpec } from '../protocol/job.js';
import { logger } from '../support/logger.js';
import { UsageError } from '../support/usage-error.js';
import { onPath } from './on-path.js';

export type SandboxMode = 'bwrap' | 'off';

let probed: { path: string | undefined; error?: string } | undefined;

/** bwrap on PATH, and a trial run that succeeds (user namespaces can be off in a container): once per process. */
export function bwrapOnHost(env = process.env): { path: string | undefined; error?: string } {
  if (probed) return probed;
  const path = onPath('bwrap', env);
  if (!path) return (probed = { path: undefined, error: 'bubblewrap is not installed (no bwrap on PATH)' });
  const trial = spawnSync(path, ['--ro-bind', '/', '/', '--unshare-pid', '--die-with-parent', 'true'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (trial.status === 0) return (probed = { path });
  const why = (trial.stderr || trial.error?.message || `exit ${trial.status}`).trim();
  return (probed = { path: undefined, error: `bwrap cannot make a sandbox here: ${why}` });
}

/** The mode in force: the config's, else bwrap where it works. A configured bwrap that cannot run is an error. */
export function sandboxMode(config: Config): SandboxMode {
  const wanted = config.sandbox.mode;
  if (wanted === 'off') return 'off';
  const bwrap = bwrapOnHost();
  if (bwrap.path) return 'bwrap';
  if (wanted === 'bwrap') throw new UsageError(`sandbox.mode: "bwrap" but ${bwrap.error}`);
  return 'off';
}

/** At worker start: the one warning a host without a sandbox gets (or the error a configured bwrap gets). */
export function announceSandbox(config: Config): SandboxMode {
  const mode = sandboxMode(config);
  if (mode === 'off' && config.sandbox.mode === undefined) {
    logger('sandbox').warn(
      { reason: bwrapOnHost().error },
      'sandbox: off — agents and checks run unconfined (install bubblewrap: apt-get install bubblewrap); every result says sandbox: off',
    );
  }
  return mode;
}

/** The bwrap executable (sandboxMode said bwrap). */
export function bwrapPath(): string {
  const { path } = bwrapOnHost();
  if (!path) throw new Error('bwrap is not available');
  return path;
}

/** A job's sandbox on this host: the host's mode, unless the job asked for none and the config allows it. */
export function jobSandbox(spec: Pick<JobSpec, 'sandbox'>, config: Config): SandboxMode {
  return spec.sandbox === 'off' && config.sandbox.allowJobOff ? 'off' : sandboxMode(config);
}
