import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { Harness } from './temporal.js';

const BIN = fileURLToPath(new URL('../../bin/nightshift.js', import.meta.url));

/** Runs the real `nightshift` CLI against the test server and the harness's task queue. */
export function nightshift(
  args: string[],
  opts: { address?: string; harness?: Harness; cwd?: string; env?: Record<string, string> } = {},
) {
  return execa('node', [BIN, ...args], {
    reject: false,
    stdin: 'ignore',
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    env: {
      NIGHTSHIFT_LOG_FORMAT: 'json',
      ...(opts.address ? { TEMPORAL_ADDRESS: opts.address } : {}),
      ...(opts.harness
        ? { NIGHTSHIFT_TASK_QUEUE: opts.harness.config.temporal.taskQueue, NIGHTSHIFT_DATA_DIR: opts.harness.dataDir }
        : {}),
      ...opts.env,
    },
  });
}
