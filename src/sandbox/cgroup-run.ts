// One run's cgroup(s): made with their ceilings before the spawn, read for ceilings hit, emptied (SIGKILL) and
// removed after; a crashed worker's leftovers swept at the next start.
import { existsSync, mkdirSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { enableV2, keyedCounts, readText, type Controller, type ControllerHome } from './cgroup.js';

export interface Ceilings {
  maxProcesses?: number;
  memoryBytes?: number;
}

export interface LimitHits {
  processes: boolean;
  memory: boolean;
  /** The run's peak resident memory (bytes), where the kernel keeps it. */
  peakBytes?: number;
  /** The most processes and threads it had at once (`pids.peak`, kernels ≥ 6.1). */
  peakProcesses?: number;
}

/** This process's dir name: its pid and start time, so a reused pid is not taken for a live worker. */
function workerTag(pid: number | 'self' = 'self'): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return `w${pid === 'self' ? process.pid : pid}-${fields[19] ?? '0'}`;
}

export class RunCgroup {
  private constructor(
    /** The dirs the run's processes enter: one for v2, one per controller for v1. */
    readonly dirs: string[],
    private readonly byController: Partial<Record<Controller, { dir: string; kind: 'v1' | 'v2' }>>,
  ) {}

  /** Makes `<base>/<worker>/<name>` under each home with its ceiling; undefined when none could be made. */
  static create(homes: Partial<Record<Controller, ControllerHome>>, name: string, c: Ceilings): RunCgroup | undefined {
    const by: Partial<Record<Controller, { dir: string; kind: 'v1' | 'v2' }>> = {};
    const tag = workerTag() ?? `w${process.pid}`;
    for (const ctl of ['pids', 'memory'] as const) {
      const home = homes[ctl];
      const wanted = ctl === 'pids' ? c.maxProcesses : c.memoryBytes;
      if (!home || !wanted) continue;
      const dir = join(home.base, tag, name);
      if (!existsSync(dir)) {
        if (!existsSync(join(home.base, tag))) removeAtExit(join(home.base, tag));
        mkdirSync(join(home.base, tag), { recursive: true });
        if (home.kind === 'v2')
          enableV2(join(home.base, tag), ['pids', 'memory'].filter((x) => homes[x as Controller]) as Controller[]);
        mkdirSync(dir);
      }
      setCeiling(dir, home.kind, ctl, wanted);
      by[ctl] = { dir, kind: home.kind };
    }
    const dirs = [...new Set(Object.values(by).map((b) => b.dir))];
    return dirs.length > 0 ? new RunCgroup(dirs, by) : undefined;
  }

  get hasPids(): boolean {
    return this.byController.pids !== undefined;
  }

  /** Which ceilings the run hit: the kernel's own counters (a refused fork, an OOM kill). */
  hits(): LimitHits {
    const p = this.byController.pids;
    const m = this.byController.memory;
    const processes = p ? (keyedCounts(readText(join(p.dir, 'pids.events')))['max'] ?? 0) > 0 : false;
    let memory = false;
    let peak: string | undefined;
    if (m?.kind === 'v2') {
      memory = (keyedCounts(readText(join(m.dir, 'memory.events')))['oom_kill'] ?? 0) > 0;
      peak = readText(join(m.dir, 'memory.peak'));
    } else if (m) {
      const oom = keyedCounts(readText(join(m.dir, 'memory.oom_control')));
      // Kernels before 4.13 have no oom_kill count: a failed charge is the nearest sign.
      memory = (oom['oom_kill'] ?? Number(readText(join(m.dir, 'memory.failcnt')) ?? 0)) > 0;
      peak = readText(join(m.dir, 'memory.max_usage_in_bytes'));
    }
    const num = (text: string | undefined): number | undefined =>
      text !== undefined && /^\d+\s*$/.test(text) ? Number(text) : undefined;
    const peakBytes = num(peak);
    const peakProcesses = p ? num(readText(join(p.dir, 'pids.peak'))) : undefined;
    return {
      processes,
      memory,
      ...(peakBytes !== undefined ? { peakBytes } : {}),
      ...(peakProcesses !== undefined ? { peakProcesses } : {}),
    };
  }

  /** Kills whatever is left in it (a daemon that left the process group too) and removes it. */
  async remove(): Promise<void> {
    await Promise.all(this.dirs.map((d) => emptyAndRemove(d)));
  }
}

function setCeiling(dir: string, kind: 'v1' | 'v2', ctl: Controller, value: number): void {
  if (ctl === 'pids') return writeFileSync(join(dir, 'pids.max'), String(value));
  if (kind === 'v2') {
    writeFileSync(join(dir, 'memory.max'), String(value));
    if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
    return;
  }
  writeFileSync(join(dir, 'memory.limit_in_bytes'), String(value));
  // With swap, memory+swap gets the same ceiling (written after: it may never be below the memory one).
  if (existsSync(join(dir, 'memory.memsw.limit_in_bytes')))
    writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(value));
}

/** The worker's own dir goes when its process exits (empty by then: each run removed its own). */
function removeAtExit(dir: string): void {
  process.once('exit', () => {
    try {
      rmdirSync(dir);
    } catch {
      // a run still in it (a kill mid-run): the next worker's sweep takes it
    }
  });
}

const procs = (dir: string): number[] =>
  (readText(join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean).map(Number);

/** SIGKILL to all in it (`cgroup.kill` on v2 ≥5.14, else pid by pid until none forks again), then rmdir. */
async function emptyAndRemove(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  if (existsSync(join(dir, 'cgroup.kill'))) writeFileSync(join(dir, 'cgroup.kill'), '1');
  for (let i = 0; i < 100; i++) {
    const left = procs(dir);
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    try {
      rmdirSync(dir);
      return;
    } catch {
      await sleep(left.length > 0 ? 20 : 50); // the killed still exiting: EBUSY until the kernel lets them go
    }
  }
}

/** At worker start: the cgroups of workers that are gone (a crash, a kill -9) emptied and removed. */
export async function sweepStale(homes: Partial<Record<Controller, ControllerHome>>): Promise<number> {
  let swept = 0;
  const bases = new Set(Object.values(homes).map((h) => h.base));
  for (const base of bases) {
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      const m = /^w(\d+)-\d+$/.exec(entry.name);
      if (!entry.isDirectory() || !m || workerTag(Number(m[1])) === entry.name) continue;
      const dir = join(base, entry.name);
      const runs = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
      await Promise.all(runs.map((r) => emptyAndRemove(join(dir, r.name))));
      await emptyAndRemove(dir);
      swept += runs.length;
    }
  }
  return swept;
}
