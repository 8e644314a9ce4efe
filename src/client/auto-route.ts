// `auto` routing: the backend a job runs on, chosen at submit from the ledger's recent figures per kind.
import type { Client } from '@temporalio/client';
import { adapterFor, resolveCommand } from '../agents/registry.js';
import type { Config } from '../config/schema.js';
import type { CapacityView } from '../protocol/capacity.js';
import { newJobId } from '../protocol/ids.js';
import type { JobSpec, RouteFigures } from '../protocol/job.js';
import { UsageError } from '../support/usage-error.js';
import { AUTO, JobInputSchema } from './job-input.js';
import { capacityView } from './jobs.js';

const DAY_MS = 86_400_000;

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

const resolves = (config: Config) => (name: string) => {
  try {
    adapterFor(name);
    resolveCommand(name, config);
    return true;
  } catch {
    return false; // an unknown backend or a CLI not installed here is no candidate
  }
};

/** `routing.candidates`, else `defaultBackend` and every configured backend; the kind's route first; CLIs that resolve. */
export function autoCandidates(config: Config, kind: string): string[] {
  const base = config.routing.candidates ?? [config.defaultBackend, ...Object.keys(config.backends)];
  const route = config.routes[kind];
  const routed = route ? [route.backend, ...route.fallbacks].filter((b) => base.includes(b)) : [];
  return [...new Set([...routed, ...base])].filter((b) => b !== AUTO).filter(resolves(config));
}

/** Backends new jobs skip: rate-limited (until later than `now`) or auth-broken, with why. */
export function unavailableOf(view: Pick<CapacityView, 'limitedBackends' | 'authBroken'>, now = Date.now()) {
  const out: Record<string, string> = {};
  for (const [b, until] of Object.entries(view.limitedBackends)) if (until > now) out[b] = 'rate-limited';
  for (const b of Object.keys(view.authBroken)) out[b] = 'auth broken';
  return out;
}

/** The job asks for `auto`: `--backend auto`, or no backend and its kind's route is `auto`. */
export function wantsAuto(raw: Record<string, unknown>, config: Config): boolean {
  if (raw['backend'] !== undefined) return raw['backend'] === AUTO;
  const kind = typeof raw['kind'] === 'string' ? raw['kind'] : JobInputSchema.shape.kind.parse(undefined);
  return config.routes[kind]?.backend === AUTO;
}

export interface AutoResolved {
  /** The input with the chosen backend (and a job id: the explore draw is its hash). */
  raw: Record<string, unknown>;
  decision: AutoDecision;
  /** A route of `auto`: its fallbacks (the chosen one left out); `--backend auto` pins the one chosen. */
  fallbacks: string[];
}

/** Picks the backend for an `auto` job from the ledger's window and the capacity view, before anything starts. */
export async function resolveAutoBackend(
  raw: Record<string, unknown>,
  config: Config,
  client: Client,
  ledger: RoutingSource,
): Promise<AutoResolved> {
  const kind = typeof raw['kind'] === 'string' ? raw['kind'] : JobInputSchema.shape.kind.parse(undefined);
  const jobId = typeof raw['jobId'] === 'string' ? raw['jobId'] : newJobId();
  const since = Date.now() - config.routing.windowDays * DAY_MS;
  // An unreachable ledger does not stop the job: no figures, so the route's first backend, and the reason says so.
  let unreachable = false;
  const figures = ledger.routing(since).catch((err: unknown) => {
    if (!(err instanceof Error) || err.name !== 'LedgerUnreachableError') throw err;
    unreachable = true;
    return [];
  });
  const [rows, view] = await Promise.all([figures, capacityView(client, config)]);
  const decision = chooseBackend(kind, rows, autoCandidates(config, kind), unavailableOf(view), {
    ...config.routing,
    jobId,
  });
  if (unreachable) decision.reason += ' (the ledger is unreachable: no figures)';
  const route = raw['backend'] === undefined ? config.routes[kind] : undefined;
  const fallbacks = (route?.fallbacks ?? []).filter((b) => b !== decision.backend).filter(resolves(config));
  return { raw: { ...raw, jobId, backend: decision.backend }, decision, fallbacks };
}

/** The resolved spec with auto's choice on it (and a route's fallbacks, which the pinned input dropped). */
export function withRoute(spec: JobSpec, resolved: AutoResolved): JobSpec {
  const route = { chosen: resolved.decision.backend, reason: resolved.decision.reason };
  return { ...spec, route, ...(resolved.fallbacks.length ? { fallbacks: resolved.fallbacks } : {}) };
}
