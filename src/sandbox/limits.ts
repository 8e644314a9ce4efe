// sandbox.limits: what this host enforces (said once at worker start), and the wrapper that puts each agent, check
// or setup run into its own cgroup before it runs anything, so a fork bomb or a memory hog fails its own run only.
import { accessSync, constants } from 'node:fs';
import type { Invocation } from '../agents/contract.js';
import type { Config } from '../config/schema.js';
import { FailureClass } from '../protocol/failures.js';
import { logger } from '../support/logger.js';
import { controllerHomes } from './cgroup.js';
import { RunCgroup, sweepStale, type LimitHits } from './cgroup-run.js';
import { onPath } from './on-path.js';

type Limits = Config['sandbox']['limits'];
export type ProcessCeiling = 'cgroup v2' | 'cgroup v1' | 'rlimit' | 'none';
export type MemoryCeiling = 'cgroup v2' | 'cgroup v1' | 'none';

/** A run's handle: its ceilings hit, read once at the end, when its cgroup is emptied and removed. */
export interface LimitedRun {
  finish(): Promise<LimitHits>;
}
export type LimitedInvocation = Invocation & { limits?: LimitedRun };

const isRoot = (): boolean => process.getuid?.() === 0;

/** prlimit(1) on PATH: RLIMIT_NPROC for a worker that is not root (root ignores it). */
const prlimitPath = (): string | undefined => onPath('prlimit');

/** How each ceiling is enforced on this host (the cgroup probe runs once per process). */
export function enforcement(): { processes: ProcessCeiling; memory: MemoryCeiling } {
  const homes = controllerHomes();
  const via = (k: 'v1' | 'v2' | undefined) => (k ? (`cgroup ${k}` as const) : undefined);
  const rlimit = !isRoot() && prlimitPath() ? ('rlimit' as const) : ('none' as const);
  return { processes: via(homes.pids?.kind) ?? rlimit, memory: via(homes.memory?.kind) ?? 'none' };
}

/** The one line a worker logs at start, e.g. "limits: processes ≤ 512 via cgroup v1, memory ≤ 4096 MiB via …". */
export function describeLimits(limits: Limits): string {
  const e = enforcement();
  const procs = !limits.maxProcesses
    ? 'processes: no ceiling (maxProcesses 0)'
    : e.processes === 'none'
      ? `processes: not enforced — ${isRoot() ? 'root ignores RLIMIT_NPROC and' : 'no prlimit and'} no usable pids cgroup`
      : e.processes === 'rlimit'
        ? `processes ≤ ${limits.maxProcesses} via RLIMIT_NPROC (counts all of the worker user's processes)`
        : `processes ≤ ${limits.maxProcesses} via ${e.processes}`;
  const mem = !limits.memoryMb
    ? 'memory: no ceiling (memoryMb 0)'
    : e.memory === 'none'
      ? 'memory: not enforced — no usable memory cgroup (RLIMIT_AS breaks node, bun and rust CLIs)'
      : `memory ≤ ${limits.memoryMb} MiB via ${e.memory}`;
  return `limits: ${procs}; ${mem}`;
}

/** At worker start: what is enforced, said once, and the cgroups a crashed worker left behind removed. */
let announced = '';

export async function announceLimits(config: Config): Promise<void> {
  const log = logger('sandbox');
  const line = describeLimits(config.sandbox.limits);
  if (line !== announced && line.includes('not enforced')) log.warn(line);
  else if (line !== announced) log.info(line);
  announced = line; // once per process (tests start many workers), again only if the config says otherwise
  const swept = await sweepStale(controllerHomes()).catch(() => 0);
  if (swept > 0) log.warn({ swept }, 'limits: removed cgroups of runs a previous worker left behind');
}

let seq = 0;

/**
 * The run's argv wrapped so its first process enters the run's cgroup(s) and then execs the real command (bwrap
 * and all it starts follow): nothing of the run is ever outside, and the worker is never inside.
 */
export function limitedInvocation(inv: Invocation, limits: Limits, name: string): LimitedInvocation {
  const runName = `${name.replace(/[^\w.-]/g, '_').slice(0, 80)}-${++seq}`;
  const cg = runCgroup(runName, limits);
  const steps = (cg?.dirs ?? []).map((d) => `echo $$ > '${d}/cgroup.procs' || exit 125`);
  const rlimit = limits.maxProcesses && !cg?.hasPids && !isRoot() ? prlimitPath() : undefined;
  const exec = rlimit ? `exec '${rlimit}' --nproc=${limits.maxProcesses} -- "$0" "$@"` : 'exec "$0" "$@"';
  // A program that cannot run stays a spawn failure (AgentNotFound), not the wrapper's exit 127.
  if ((steps.length === 0 && !rlimit) || !runnable(inv.command)) return { ...inv, ...handle(cg, runName) };
  const script = [...steps, exec].join('\n');
  return { ...inv, command: '/bin/sh', args: ['-c', script, inv.command, ...inv.args], ...handle(cg, runName) };
}

/** The run's cgroup; one the host refuses now (EACCES, ENOSPC) leaves the run unlimited, with a warning. */
function runCgroup(name: string, limits: Limits): RunCgroup | undefined {
  try {
    return RunCgroup.create(controllerHomes(), name, {
      ...(limits.maxProcesses ? { maxProcesses: limits.maxProcesses } : {}),
      ...(limits.memoryMb ? { memoryBytes: limits.memoryMb * 1024 * 1024 } : {}),
    });
  } catch (err) {
    logger('sandbox').warn({ run: name, err: String(err) }, 'limits: no cgroup for this run; it runs without ceilings');
    return undefined;
  }
}

/** The run's handle on its cgroup: read and removed once, whoever asks first. */
function handle(cg: RunCgroup | undefined, run: string): { limits?: LimitedRun } {
  if (!cg) return {};
  let done: Promise<LimitHits> | undefined;
  const finish = async (): Promise<LimitHits> => {
    const hits = cg.hits();
    await cg.remove();
    const peakMb = hits.peakBytes !== undefined ? Math.round(hits.peakBytes / 1048576) : undefined;
    logger('sandbox').debug({ run, ...hits, peakMb }, 'limits: run ended'); // what sizing the defaults needs
    return hits;
  };
  return { limits: { finish: () => (done ??= finish()) } };
}

/** A path the kernel can exec (a bare name is looked up on PATH by the shell, as by a spawn). */
function runnable(command: string): boolean {
  if (!command.includes('/')) return true;
  try {
    accessSync(command, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A failed run that hit a ceiling: its failure names the ceiling (retrying would hit it again). */
export function limitFailure(
  hits: LimitHits | undefined,
  limits: Limits,
  what = 'agent',
): { ok: false; type: FailureClass; message: string } | undefined {
  if (!hits || (!hits.processes && !hits.memory)) return undefined;
  const which = [
    ...(hits.processes ? [`sandbox.limits.maxProcesses (${limits.maxProcesses})`] : []),
    ...(hits.memory ? [`sandbox.limits.memoryMb (${limits.memoryMb})`] : []),
  ];
  return { ok: false, type: FailureClass.ResourceLimit, message: `${what} exceeded ${which.join(' and ')}` };
}

/** A check's or setup's run that passed a ceiling: its output's end says so (its exit alone would not). */
export async function noteLimits<R extends { outputTail: string }>(
  run: R,
  limited: { limits?: LimitedRun },
  limits: Limits,
  what: string,
): Promise<R> {
  const hit = limitFailure(await limited.limits?.finish(), limits, what);
  return hit ? { ...run, outputTail: `${run.outputTail}\n[nightshift: ${hit.message}]\n` } : run;
}
