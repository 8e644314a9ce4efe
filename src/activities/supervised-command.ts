// A command beside the agent (the repo's check, a fresh worktree's setup) supervised like an agent: its own process
// group (reaped with the host), heartbeats while it runs, its group killed on timeout and cancel, host trouble classified.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CancelledFailure, Context } from '@temporalio/activity';
import { superviseAgent, type Supervised, type Watch } from '../agents/process/supervise.js';
import type { Config } from '../config/schema.js';
import { encodeFailure, FailureClass } from '../protocol/failures.js';
import type { SandboxMode } from '../sandbox/detect.js';
import { withExecFailure } from '../sandbox/exec-failure.js';
import { setupNetwork } from '../sandbox/egress-policy.js';
import { noteLimits } from '../sandbox/limits.js';
import { sandboxed } from '../sandbox/wrap.js';
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
  /** Its whole environment (sandboxEnv's: the worker's plain settings, no key of any CLI). */
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

/**
 * The setup runner `prepareWorkspace` (and a landing) is given inside its activity. The command is the operator's,
 * but what it runs is the repo's (`npm install` runs any `postinstall` an agent wrote): it is sandboxed as an agent
 * is — the worktree, its cache dirs and a home of its own (in the job dir: no setup leaves anything for another
 * job's) writable, the worker's home and data dir hidden — and under `mode: off` still gets no key of the worker.
 */
export function setupProcess(mode: SandboxMode, config: Config): SetupProcess {
  const watch = activityWatch(Context.current());
  return async (file, args, request) => {
    const home = join(request.jobDir, 'setup-home');
    await mkdir(home, { recursive: true });
    const inv = await sandboxed({
      mode,
      invocation: { command: file, args, env: { HOME: home, ...request.env } },
      cwd: request.cwd,
      own: [], // no key of any CLI: the allowlist (PATH, locale, proxies, CA bundles) and `repos[].env` only
      stateDir: home,
      writable: request.writable,
      network: setupNetwork(config), // `npm install` fetches: through the egress proxy, sandbox.allowHosts only
      config,
    });
    const { cwd, jobDir, log, timeoutSeconds } = request;
    const run = await runSupervised(
      { what: 'setup', file: inv.command, args: inv.args, env: inv.env, cwd, jobDir, log, timeoutSeconds },
      watch,
    )
      .then((r) => noteLimits(r, inv, config.sandbox.limits, 'setup'))
      .finally(() => inv.release());
    return { ...run, sandbox: mode };
  };
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
