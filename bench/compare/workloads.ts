// The four workloads, the same for every system: throughput, idle latency, operator start under saturation, makespan.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from './stats.js';
import type { Spawned } from './pool.js';

export interface System {
  submit(seconds: number, lane?: 'background' | 'operator'): Promise<Spawned>;
  /** How many jobs wait for a slot now, as the system itself counts them. */
  queued(): Promise<number>;
}

export interface Figures {
  throughput: number;
  spawnP50: number;
  spawnP99: number;
  resultP50: number;
  resultP99: number;
  operatorP50: number;
  operatorP99: number;
  makespan: number;
}

/** Runs `n` jobs with at most `inFlight` submitted and unfinished at once (a client does not open 1,000 polls). */
export async function many(
  sys: Pick<System, 'submit'>,
  n: number,
  seconds: number,
  inFlight = 200,
): Promise<Spawned[]> {
  const out: Spawned[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      next++;
      out.push(await sys.submit(seconds));
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, lane));
  return out;
}

const sleepers = (seconds: number): number => {
  try {
    return Number(
      execFileSync('pgrep', ['-c', '-f', `^sleep ${seconds}$`])
        .toString()
        .trim(),
    );
  } catch {
    return 0; // pgrep exits 1 when none match
  }
};

/** Waits for `ok`, or fails the bench naming what never happened (a bench never hangs silently). */
async function until(what: string, ok: () => Promise<boolean>, seconds = 600): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  while (!(await ok())) {
    if (performance.now() > deadline) throw new Error(`bench: no ${what} after ${seconds} s`);
    await sleep(100);
  }
}

export async function measure(sys: System, o: { jobs: number; rounds: number; slots: number }): Promise<Figures> {
  await sys.submit(0); // warm-up: nightshift's capacity singleton starts on the first job, BullMQ's scripts load
  let t0 = performance.now();
  await many(sys, o.jobs, 0);
  const throughput = o.jobs / ((performance.now() - t0) / 1000);
  const idle: Spawned[] = [];
  for (let i = 0; i < o.rounds; i++) idle.push(await sys.submit(0));
  // Saturation: every shared slot holds a sleeping agent and `jobs` no-ops queue behind them.
  const hold = 3607; // an odd length, so only these agents match `sleep 3607`; killed once measured
  const held = Promise.all(Array.from({ length: o.slots - 1 }, () => sys.submit(hold).catch(() => undefined)));
  await until(`${o.slots - 1} holders running`, async () => sleepers(hold) >= o.slots - 1);
  const queued = many(sys, o.jobs, 0, o.jobs); // after the holders: none of these may take a slot first
  // Measured only once every one of them waits in the system's own queue (not while submits are still arriving).
  await until(`${o.jobs} jobs queued`, async () => (await sys.queued()) >= o.jobs);
  const operator: Spawned[] = [];
  for (let i = 0; i < o.rounds; i++) operator.push(await sys.submit(0, 'operator'));
  execFileSync('pkill', ['-f', `^sleep ${hold}$`]); // the holders end (a killed agent's job fails: no retry)
  await Promise.all([held, queued]);
  t0 = performance.now();
  await many(sys, o.jobs, 1, o.jobs);
  const makespan = (performance.now() - t0) / 1000;
  const p = (xs: Spawned[], k: keyof Spawned, q: number) =>
    percentile(
      xs.map((x) => x[k]),
      q,
    );
  return {
    throughput,
    spawnP50: p(idle, 'toSpawn', 50),
    spawnP99: p(idle, 'toSpawn', 99),
    resultP50: p(idle, 'toDone', 50),
    resultP99: p(idle, 'toDone', 99),
    operatorP50: p(operator, 'toSpawn', 50),
    operatorP99: p(operator, 'toSpawn', 99),
    makespan,
  };
}
