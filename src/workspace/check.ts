import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { CheckInput } from '../protocol/activities.js';
import type { CheckOutcome } from '../protocol/result.js';

const TAIL_BYTES = 4000;

/** The repo's own check (argv, no shell) after the agent: exit code, duration and a bounded tail. */
export async function runCheck(input: CheckInput): Promise<CheckOutcome> {
  const [file, ...args] = input.command;
  if (!file) throw new Error('check command is empty');
  const started = Date.now();
  const r = await execa(file, args, {
    cwd: input.cwd,
    reject: false,
    all: true,
    stdin: 'ignore',
    timeout: input.timeoutSeconds * 1000,
    killSignal: 'SIGKILL',
  });
  const output = r.all ?? '';
  await appendFile(join(input.jobDir, 'check.log'), output);
  const exitCode = r.exitCode ?? (r.timedOut ? 124 : 1);
  return {
    command: input.command,
    exitCode,
    passed: exitCode === 0,
    durationMs: Date.now() - started,
    outputTail: output.slice(-TAIL_BYTES),
  };
}
