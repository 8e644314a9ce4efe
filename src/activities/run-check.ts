// The check activity: the repo's check supervised like an agent — its own process group (reaped with the host),
// heartbeats while it runs, its group killed on timeout and cancel, host trouble classified.
import { Context } from '@temporalio/activity';
import type { CheckInput } from '../protocol/activities.js';
import type { CheckOutcome } from '../protocol/result.js';
import { runCheck as check } from '../workspace/check.js';
import { activityWatch } from './run-agent.js';
import { runSupervised } from './supervised-command.js';

export function runCheck(input: CheckInput): Promise<CheckOutcome> {
  const watch = activityWatch(Context.current());
  const { cwd, jobDir, timeoutSeconds } = input;
  return check(input, (file, args, log) =>
    runSupervised({ what: 'check', file, args, cwd, jobDir, log, timeoutSeconds }, watch),
  );
}
