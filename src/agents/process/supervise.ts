// Spawn → stream → watchdogs → kill: everything about a supervised process's lifetime (an agent CLI, a check).
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import type { Invocation } from '../contract.js';
import { BoundedSink, LineSplitter, Tail } from './output-sink.js';
import { killGroup } from './process-group.js';
import { trackGroup } from './reaper.js';

export type StopReason = 'exited' | 'cancelled' | 'worker-shutdown' | 'hang' | 'timeout' | 'budget' | 'fault';

/** Host trouble that ended the run (its group killed): the job's failure, never the worker's crash. */
export type Fault =
  | { kind: 'dir-missing'; dir: string }
  | { kind: 'spawn-failed'; error: Error }
  | { kind: 'output-failed'; error: Error };

/** How the run's owner watches it (an activity: heartbeats, its cancellation signal). No Temporal types here. */
export interface Watch {
  /** Called on every tick with the live progress. */
  heartbeat(details: unknown): void;
  /** Aborts when the run must stop: a cancel, or the worker shutting down. */
  signal: AbortSignal;
  /** At abort: whether the worker is shutting down (else the run was cancelled). */
  shuttingDown(): boolean;
}

export interface SuperviseOptions {
  invocation: Invocation;
  cwd: string;
  outputFile: string;
  outputLimit: number;
  timeoutMs: number;
  hangMs: number;
  heartbeatMs: number;
  /** Directories that must stay while it runs (the job dir, the workspace): one gone stops it. */
  mustExist?: string[];
  /** stderr goes to the output file too (a check's log); else only to the stderr tail (an agent). */
  mergeStderr?: boolean;
  onLine: (line: string) => void;
  /** Checked after each line: true stops the run with reason `budget` (its usage passed the job's cap). */
  overBudget?: () => boolean;
  progress: () => unknown;
  watch: Watch;
}

export interface Supervised {
  exitCode: number | undefined;
  signal: string | undefined;
  stderrTail: string;
  /** The end of what went to the output file. */
  outputTail: string;
  stopReason: StopReason;
  /** Set when stopReason is 'fault'. */
  fault?: Fault;
  spawnedAt: number;
  exitedAt: number;
  pid: number | undefined;
}

/** The first stop wins: its reason (and fault) is the run's, and it kills the group once. */
class Stopper {
  reason: StopReason = 'exited';
  fault: Fault | undefined;
  pgid: number | undefined;

  stop(why: Exclude<StopReason, 'exited'>, fault?: Fault): void {
    if (this.reason !== 'exited') return;
    this.reason = why;
    this.fault = fault;
    if (this.pgid !== undefined) void killGroup(this.pgid);
  }
}

const missingDir = (dirs: string[]): string | undefined => dirs.find((d) => !existsSync(d));

export async function superviseAgent(o: SuperviseOptions): Promise<Supervised> {
  const stopper = new Stopper();
  const spawnedAt = Date.now();
  const t: Tails = { out: new Tail(), stderr: new Tail(), spawnedAt, lastOutput: spawnedAt };
  const gone = missingDir(o.mustExist ?? []);
  if (gone) stopper.stop('fault', { kind: 'dir-missing', dir: gone });
  const sink = gone
    ? undefined
    : new BoundedSink(o.outputFile, o.outputLimit, (error) => stopper.stop('fault', { kind: 'output-failed', error }));
  await sink?.ready();
  const exit =
    sink && stopper.reason === 'exited'
      ? await runChild(o, stopper, sink, t)
      : { exitCode: undefined, signal: undefined, pid: undefined };
  await sink?.close(); // an error flushing the file (ENOSPC) is reported to the stopper, as any other
  return {
    ...exit,
    stderrTail: t.stderr.toString(),
    outputTail: t.out.toString(),
    stopReason: stopper.reason,
    ...(stopper.fault ? { fault: stopper.fault } : {}),
    spawnedAt,
    exitedAt: Date.now(),
  };
}

type Exit = Pick<Supervised, 'exitCode' | 'signal' | 'pid'>;
interface Tails {
  out: Tail;
  stderr: Tail;
  spawnedAt: number;
  lastOutput: number;
}

/** Spawns in its own process group (registered with the reaper), streams, runs the watchdogs, kills what is left. */
async function runChild(o: SuperviseOptions, stopper: Stopper, sink: BoundedSink, t: Tails): Promise<Exit> {
  const child = execa(o.invocation.command, o.invocation.args, {
    cwd: o.cwd,
    env: { ...o.invocation.env, PWD: o.cwd }, // some CLIs (opencode) take their project dir from $PWD
    extendEnv: false, // exactly the invocation's environment: the worker's own (other CLIs' keys) stays out
    detached: true, // own process group: the kill reaches the CLI's children too
    stdin: 'ignore',
    reject: false,
    buffer: false,
    encoding: 'utf8',
  });
  const pid = child.pid; // undefined: the spawn failed (its error is in the result)
  stopper.pgid = pid;
  const untrack = pid !== undefined ? trackGroup(pid) : () => undefined;
  const lines = new LineSplitter((line) => {
    o.onLine(line);
    if (o.overBudget?.()) stopper.stop('budget');
  });
  const toFile = (text: string): void => {
    sink.write(text);
    t.out.push(text);
  };
  child.stdout?.on('data', (c: Buffer | string) => {
    t.lastOutput = Date.now();
    toFile(c.toString());
    lines.push(c.toString());
  });
  child.stderr?.on('data', (c: Buffer | string) => {
    t.lastOutput = Date.now();
    if (o.mergeStderr) toFile(c.toString());
    t.stderr.push(c.toString());
  });
  const stopWatching = watchdogs(o, stopper, t);
  try {
    const r = await child;
    lines.end();
    if (pid === undefined)
      stopper.stop('fault', { kind: 'spawn-failed', error: r instanceof Error ? r : new Error(r.message) });
    return { exitCode: r.exitCode, signal: r.signal, pid };
  } finally {
    stopWatching();
    stopper.pgid = undefined; // the group is ours to kill only until it is reaped below
    if (pid !== undefined) await killGroup(pid, 1000); // stragglers the CLI left behind
    untrack();
  }
}

/** Cancel and shutdown, heartbeats, a vanished dir, hang and timeout; returns what stops them. */
function watchdogs(o: SuperviseOptions, stopper: Stopper, t: Tails): () => void {
  const onAbort = (): void => stopper.stop(o.watch.shuttingDown() ? 'worker-shutdown' : 'cancelled');
  o.watch.signal.addEventListener('abort', onAbort);
  if (o.watch.signal.aborted) onAbort();
  const timer = setInterval(
    () => {
      o.watch.heartbeat(o.progress());
      const gone = missingDir(o.mustExist ?? []);
      if (gone) stopper.stop('fault', { kind: 'dir-missing', dir: gone });
      if (Date.now() - t.lastOutput > o.hangMs) stopper.stop('hang');
      if (Date.now() - t.spawnedAt > o.timeoutMs) stopper.stop('timeout');
    },
    Math.min(o.heartbeatMs, 1000),
  );
  return () => {
    clearInterval(timer);
    o.watch.signal.removeEventListener('abort', onAbort);
  };
}
