// The repo's own check after the agent (argv, no shell): its log in the job dir, its outcome with a bounded tail.
import { join } from 'node:path';
import type { CheckInput } from '../protocol/activities.js';
import type { CheckOutcome } from '../protocol/result.js';

const TAIL_BYTES = 4000;

/** How the check's process ended: its exit code (none when killed), whether it ran out of time, its output's end. */
export interface CheckRun {
  exitCode: number | undefined;
  timedOut: boolean;
  outputTail: string;
}

/**
 * Runs `file args` in the check's cwd, its output (stdout and stderr) appended to `log`. The activity provides it:
 * the process in its own group (reaped with the host), heartbeats, killed on timeout and cancel.
 */
export type CheckProcess = (file: string, args: string[], log: string) => Promise<CheckRun>;

export async function runCheck(input: CheckInput, run: CheckProcess): Promise<CheckOutcome> {
  const [file, ...args] = input.command;
  if (!file) throw new Error('check command is empty');
  const started = Date.now();
  const r = await run(file, args, join(input.jobDir, 'check.log'));
  const exitCode = r.timedOut ? 124 : (r.exitCode ?? 1);
  return {
    command: input.command,
    exitCode,
    passed: exitCode === 0,
    durationMs: Date.now() - started,
    outputTail: r.outputTail.slice(-TAIL_BYTES),
  };
}
