// The check activity: the repo's check supervised like an agent — its own process group (reaped with the host),
// heartbeats while it runs, its group killed on timeout and cancel, host trouble classified.
import { CancelledFailure, Context } from '@temporalio/activity';
import { superviseAgent, type Supervised } from '../agents/process/supervise.js';
import type { CheckInput } from '../protocol/activities.js';
import { encodeFailure, FailureClass } from '../protocol/failures.js';
import type { CheckOutcome } from '../protocol/result.js';
import { runCheck as check, type CheckRun } from '../workspace/check.js';
import { classifyFault, hostFailure } from './io-failure.js';
import { activityWatch } from './run-agent.js';

const LOG_LIMIT = 10 * 1024 * 1024;
const HEARTBEAT_MS = 2000;

export function runCheck(input: CheckInput): Promise<CheckOutcome> {
  const watch = activityWatch(Context.current());
  return check(input, async (file, args, log) => {
    const sup = await superviseAgent({
      invocation: { command: file, args, env: {} },
      cwd: input.cwd,
      outputFile: log,
      outputLimit: LOG_LIMIT,
      timeoutMs: input.timeoutSeconds * 1000,
      hangMs: Infinity, // a quiet check is fine: only its timeout bounds it
      heartbeatMs: HEARTBEAT_MS,
      mustExist: [input.jobDir, input.cwd],
      mergeStderr: true,
      onLine: () => undefined,
      progress: () => ({ check: input.command.join(' ') }),
      watch,
    });
    return checkRunOf(sup, file);
  });
}

function checkRunOf(sup: Supervised, file: string): CheckRun {
  if (sup.stopReason === 'cancelled') throw new CancelledFailure('check cancelled; its process group killed');
  if (sup.stopReason === 'worker-shutdown') {
    throw encodeFailure(FailureClass.WorkerShutdown, 'worker shutting down; check process group killed');
  }
  // A check program missing here fails the check as a shell would ("command not found", 127): the job says why.
  if (sup.fault?.kind === 'spawn-failed') {
    return { exitCode: 127, timedOut: false, outputTail: `cannot run ${file}: ${sup.fault.error.message}` };
  }
  if (sup.fault) {
    const c = classifyFault(sup.fault, 'check');
    throw c instanceof Error ? c : hostFailure(c);
  }
  return { exitCode: sup.exitCode, timedOut: sup.stopReason === 'timeout', outputTail: sup.outputTail };
}
