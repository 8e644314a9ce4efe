// Spawn → stream → watchdogs → kill: everything about the agent's process lifetime.
import { execa } from 'execa';
import type { Invocation } from '../contract.js';
import { BoundedSink, LineSplitter, Tail } from './output-sink.js';
import { killGroup } from './process-group.js';

export type StopReason = 'exited' | 'cancelled' | 'worker-shutdown' | 'hang' | 'timeout';

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
  onLine: (line: string) => void;
  progress: () => unknown;
  watch: Watch;
}

export interface Supervised {
  exitCode: number | undefined;
  signal: string | undefined;
  stderrTail: string;
  stopReason: StopReason;
  spawnedAt: number;
  exitedAt: number;
  pid: number | undefined;
}

export async function superviseAgent(o: SuperviseOptions): Promise<Supervised> {
  const sink = new BoundedSink(o.outputFile, o.outputLimit);
  const stderr = new Tail();
  const lines = new LineSplitter(o.onLine);
  let lastOutput = Date.now();
  let stopReason: StopReason = 'exited';
  const spawnedAt = Date.now();
  const child = execa(o.invocation.command, o.invocation.args, {
    cwd: o.cwd,
    env: { ...o.invocation.env, PWD: o.cwd }, // some CLIs (opencode) take their project dir from $PWD
    detached: true, // own process group: the kill reaches the CLI's children too
    stdin: 'ignore',
    reject: false,
    buffer: false,
    encoding: 'utf8',
  });
  const pid = child.pid;
  child.stdout?.on('data', (c: Buffer | string) => {
    lastOutput = Date.now();
    sink.write(c.toString());
    lines.push(c.toString());
  });
  child.stderr?.on('data', (c: Buffer | string) => {
    lastOutput = Date.now();
    stderr.push(c.toString());
  });
  const stop = (why: StopReason): void => {
    if (stopReason !== 'exited' || pid === undefined) return;
    stopReason = why;
    void killGroup(pid);
  };
  const onAbort = (): void => stop(o.watch.shuttingDown() ? 'worker-shutdown' : 'cancelled');
  o.watch.signal.addEventListener('abort', onAbort);
  const timer = setInterval(
    () => {
      o.watch.heartbeat(o.progress());
      if (Date.now() - lastOutput > o.hangMs) stop('hang');
      if (Date.now() - spawnedAt > o.timeoutMs) stop('timeout');
    },
    Math.min(o.heartbeatMs, 1000),
  );
  try {
    const r = await child;
    lines.end();
    return {
      exitCode: r.exitCode,
      signal: r.signal,
      stderrTail: stderr.toString(),
      stopReason,
      spawnedAt,
      exitedAt: Date.now(),
      pid,
    };
  } finally {
    clearInterval(timer);
    o.watch.signal.removeEventListener('abort', onAbort);
    if (pid !== undefined) await killGroup(pid, 1000); // stragglers the CLI left behind
    await sink.close();
  }
}
