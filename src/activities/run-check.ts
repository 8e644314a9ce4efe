// The check activity: the repo's check supervised like an agent — its own process group (reaped with the host),
// heartbeats while it runs, its group killed on timeout and cancel, host trouble classified — and sandboxed:
// no agent's key in its environment, no network unless `sandbox.checkNetwork`, writes only in its workspace.
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import type { CheckInput } from '../protocol/activities.js';
import type { CheckOutcome } from '../protocol/result.js';
import { jobSandbox } from '../sandbox/detect.js';
import { checkNetwork } from '../sandbox/egress-policy.js';
import { noteLimits } from '../sandbox/limits.js';
import { sandboxed } from '../sandbox/wrap.js';
import { runCheck as check } from '../workspace/check.js';
import type { ActivityDeps } from './deps.js';
import { activityWatch } from './run-agent.js';
import { runSupervised } from './supervised-command.js';

export function runCheckWith({ config }: ActivityDeps) {
  return async (input: CheckInput): Promise<CheckOutcome> => {
    const watch = activityWatch(Context.current());
    const { cwd, jobDir, timeoutSeconds } = input;
    const mode = jobSandbox(input, config);
    const outcome = await check(input, async (file, args, log) => {
      const inv = await sandboxed({
        mode,
        invocation: { command: file, args, env: {} },
        cwd,
        jobDir, // the engine's record of the worktree's git paths: the sandbox's git binds
        own: [], // no key of any CLI reaches a check
        stateDir: join(config.dataDir, 'check'),
        network: checkNetwork(config), // checkNetwork: through the egress proxy, sandbox.allowHosts only
        config,
      });
      return runSupervised(
        { what: 'check', file: inv.command, args: inv.args, env: inv.env, cwd, jobDir, log, timeoutSeconds },
        watch,
      )
        .then((r) => noteLimits(r, inv, config.sandbox.limits, 'check'))
        .finally(() => inv.release());
    });
    return { ...outcome, sandbox: mode };
  };
}
