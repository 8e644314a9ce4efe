// `auto`'s choice, pure: the ranking of a kind's backends by measured outcome, exploration, skipped backends.
import type { RouteFigures } from '../protocol/job.js';
import { UsageError } from '../support/usage-error.js';

export interface AutoOptions {
  minSamples: number;
  /** The share of jobs (0..1) that try a backend with too few samples. */
  explore: number;
  /** The explore draw is a hash of the job id: the same job always draws the same. Absent: no exploring. */
  jobId?: string;
}

export interface AutoDecision {
  backend: string;
  reason: string;
  /** The kind's figures for each candidate (absent: no job in the window). */
  figures: RouteFigures[];
  explored: boolean;
}

/** Where `auto` gets its figures: the ledger (the caller opens it: the client layer does not import it). */
export interface RoutingSource {
  routing(since: number): Promise<RouteFigures[]>;
}

/** FNV-1a of the job id, mixed (murmur3's finalizer: near ids draw far apart), in [0, 1): a reproducible draw. */
export function exploreDraw(jobId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < jobId.length; i++) h = Math.imul(h ^ jobId.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}

/** Successes over finished jobs, a revised success counting half (a revision is a partial failure). */
export function routeScore(f: RouteFigures): number {
  const finished = f.jobs - f.cancelled;
  return finished > 0 ? (f.firstPass + 0.5 * f.revised) / finished : 0;
}

// Nulls sort last: an unknown cost or duration never beats a known one.
const nullsLast = (a: number | null, b: number | null): number => (a ?? Infinity) - (b ?? Infinity) || 0;
const rank = (a: RouteFigures, b: RouteFigures): number =>
  routeScore(b) - routeScore(a) ||
  nullsLast(a.costPerSuccess, b.costPerSuccess) ||
  nullsLast(a.p50DurationMs, b.p50DurationMs) ||
  a.backend.localeCompare(b.backend);

/**
 * Pure: the best-ranked candidate of `kind` with at least `minSamples` jobs, unless the job's draw falls in the
 * explore share (then one with fewer); `unavailable` (backend → why) are skipped; no data → the first candidate.
 */
export function chooseBackend(
  kind: string,
  figures: readonly RouteFigures[],
  candidates: readonly string[],
  unavailable: Readonly<Record<string, string>>,
  opts: AutoOptions,
): AutoDecision {
  const own = figures.filter((f) => f.kind === kind && candidates.includes(f.backend));
  const open = candidates.filter((b) => unavailable[b] === undefined);
  const skipped = candidates.filter((b) => unavailable[b] !== undefined).map((b) => `${b} (${unavailable[b]})`);
  const tail = skipped.length ? `; skipped ${skipped.join(', ')}` : '';
  const decide = (backend: string, why: string, explored = false): AutoDecision => ({
    backend,
    reason: `auto → ${backend}: ${why}${tail}`,
    figures: own,
    explored,
  });
  const jobsOf = (b: string): number => own.find((f) => f.backend === b)?.jobs ?? 0;
  const fresh = open.filter((b) => jobsOf(b) < opts.minSamples);
  const draw = opts.jobId === undefined ? 1 : exploreDraw(opts.jobId);
  if (fresh.length && draw < opts.explore) {
    const pick = fresh[Math.floor((draw / opts.explore) * fresh.length)] ?? fresh[0]!;
    return decide(pick, `exploring (${jobsOf(pick)} jobs < ${opts.minSamples})`, true);
  }
  const best = own.filter((f) => open.includes(f.backend) && f.jobs >= opts.minSamples).sort(rank)[0];
  if (best) return decide(best.backend, describe(best));
  const first = open[0] ?? candidates[0];
  if (first === undefined) throw new UsageError(`auto: no candidate backend for kind "${kind}"`);
  const why = open.length ? `no candidate has ${opts.minSamples} jobs yet` : 'every candidate is unavailable';
  return decide(first, `${why}, the route's first backend`);
}

/** `92% first-pass over 48 jobs, $0.11/success` (else the p50 duration when no cost is known). */
function describe(f: RouteFigures): string {
  const finished = f.jobs - f.cancelled;
  const pct = Math.round((100 * f.firstPass) / Math.max(1, finished));
  const extra =
    f.costPerSuccess !== null
      ? `, $${f.costPerSuccess.toFixed(2)}/success`
      : f.p50DurationMs !== null
        ? `, p50 ${(f.p50DurationMs / 1000).toFixed(1)}s`
        : '';
  return `${pct}% first-pass over ${f.jobs} jobs${extra}`;
}
