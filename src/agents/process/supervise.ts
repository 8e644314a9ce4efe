// Spawn → stream → watchdogs → kill: everything about the agent's process lifetime.
import type { Context } from '@temporalio/activity';
import { execa } from 'execa';
import { BoundedSink, LineSplitter, Tail } from './output-sink.js';
import { killGroup } from './process-group.js';
import type { Invocation } from '../contract.js';

export type StopReason = 'exited' | 'cancelled' | 'worker-shutdown' | 'hang' | 'timeout';

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
  ctx: Context;
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
  const onAbort = (): void => stop(o.ctx.cancellationDetails?.workerShutdown ? 'worker-shutdown' : 'cancelled');
  o.ctx.cancellationSignal.addEventListener('abort', onAbort);
  const timer = setInterval(() => {
    o.ctx.heartbeat(o.progress());
    if (Date.now() - lastOutput > o.hangMs) stop('hang');
    if (Date.now() - spawnedAt > o.timeoutMs) stop('timeout');
  }, Math.min(o.heartbeatMs, 1000));
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
    o.ctx.cancellationSignal.removeEventListener('abort', onAbort);
    if (pid !== undefined) await killGroup(pid, 1000); // stragglers the CLI left behind
    await sink.close();
  }
}
