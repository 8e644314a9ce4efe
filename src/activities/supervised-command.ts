// A command beside the agent (the repo's check, a fresh worktree's setup) supervised like an agent: its own process
// group (reaped with the host), heartbeats while it runs, its group killed on timeout and cancel, host trouble classified.
import { CancelledFailure, Context } from '@temporalio/activity';
import { superviseAgent, type Supervised, type Watch } from '../agents/process/supervise.js';
import { encodeFailure, FailureClass } from '../protocol/failures.js';
import { withExecFailure } from '../sandbox/exec-failure.js';
import type { CheckRun } from '../workspace/check.js';
import type { SetupProcess } from '../workspace/setup.js';
import { classifyFault, hostFailure } from './io-failure.js';
import { activityWatch } from './run-agent.js';

const LOG_LIMIT = 10 * 1024 * 1024;
const HEARTBEAT_MS = 2000;

export interface SupervisedCommand {
  /** What it is, in its failures and heartbeats: "check", "setup". */
  what: string;
  file: string;
  args: string[];
  cwd: string;
  jobDir: string;
  /** Its output (stdout and stderr) is appended here. */
  log: string;
  timeoutSeconds: number;
  /** Its whole environment (a setup: the worker's plus its cache dirs; a check: sandboxEnv's, keys left out). */
  env: Record<string, string>;
}

export async function runSupervised(c: SupervisedCommand, watch: Watch): Promise<CheckRun> {
  const sup = withExecFailure(
    await superviseAgent({
      invocation: { command: c.file, args: c.args, env: c.env },
      cwd: c.cwd,
      outputFile: c.log,
      outputLimit: LOG_LIMIT,
      timeoutMs: c.timeoutSeconds * 1000,
      hangMs: Infinity, // a quiet command is fine: only its timeout bounds it
      heartbeatMs: HEARTBEAT_MS,
      mustExist: [c.jobDir, c.cwd],
      mergeStderr: true,
      onLine: () => undefined,
      progress: () => ({ [c.what]: [c.file, ...c.args].join(' ') }),
      watch,
    }),
  );
  return commandRunOf(sup, c);
}

/** The setup runner `prepareWorkspace` is given inside its activity. */
export function setupProcess(): SetupProcess {
  const watch = activityWatch(Context.current());
  // The repo's setup is the operator's own command (`repos[].setup`): the worker's environment, unconfined.
  return (file, args, request) =>
    runSupervised({ what: 'setup', file, args, ...request, env: { ...workerEnv(), ...request.env } }, watch);
}

function workerEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}

function commandRunOf(sup: Supervised, c: SupervisedCommand): CheckRun {
  if (sup.stopReason === 'cancelled') throw new CancelledFailure(`${c.what} cancelled; its process group killed`);
  if (sup.stopReason === 'worker-shutdown') {
    throw encodeFailure(FailureClass.WorkerShutdown, `worker shutting down; ${c.what} process group killed`);
  }
  // A program missing here fails the command as a shell would ("command not found", 127): the job says why.
  if (sup.fault?.kind === 'spawn-failed') {
    return { exitCode: 127, timedOut: false, outputTail: `cannot run ${c.file}: ${sup.fault.error.message}` };
  }
  if (sup.fault) {
    const f = classifyFault(sup.fault, c.what);
    throw f instanceof Error ? f : hostFailure(f);
  }
  return { exitCode: sup.exitCode, timedOut: sup.stopReason === 'timeout', outputTail: sup.outputTail };
}
