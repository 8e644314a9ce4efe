// The job figures `/metrics` exports, as SQL over every ledger row: counts, token and cost sums, and histogram
// buckets (how many jobs took at most each bound), per group of the labels the exported families use.
import { literal, type Queryable } from './sql.js';

/** Upper bounds, in seconds, of the histograms' buckets (`+Inf` is the group's job count). */
export interface BucketBounds {
  runSeconds: readonly number[];
  leaseWaitSeconds: readonly number[];
}

export interface HistogramFigures {
  /** Jobs at or below each bound (cumulative, as Prometheus' `le` buckets are), one per bound. */
  buckets: number[];
  sumSeconds: number;
}

/** The jobs of one (backend, kind, status, lane, failure class) group, over the ledger's whole history. */
export interface JobFigures {
  backend: string;
  kind: string;
  status: string;
  lane: string;
  failureClass: string | null;
  jobs: number;
  costUsd: number;
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number };
  /** From the lease grant to the job's end: the time the job held its slot (workspace, agent runs, checks). */
  run: HistogramFigures;
  leaseWait: HistogramFigures;
}

// A job that never got a lease (cancelled while queued) has lease_wait_ms 0: its run is its time in the queue.
const RUN_MS = 'greatest(duration_ms - lease_wait_ms, 0)';

/** `count(*) FILTER (value <= bound)` per bound, as one float8[] column (bounds are ours, inlined as literals). */
const bucketsSql = (value: string, bounds: readonly number[]): string =>
  `ARRAY[${bounds.map((s) => `count(*) FILTER (WHERE ${value} <= ${literal(s * 1000)})`).join(', ')}]::float8[]`;

// Counts and sums as float8 (JS numbers); costs summed as numeric, so the same rows give the same figure whatever
// their order (as in stats.ts). Ordered, so the sums the caller folds across groups come out the same each scrape.
const figuresSql = (b: BucketBounds): string => `
  SELECT backend, kind, status, lane, failure_class,
         count(*)::float8 AS jobs,
         coalesce(sum(cost_usd::numeric), 0)::float8 AS cost_usd,
         coalesce(sum(tokens_in), 0)::float8 AS tokens_in,
         coalesce(sum(tokens_out), 0)::float8 AS tokens_out,
         coalesce(sum(cache_read), 0)::float8 AS cache_read,
         coalesce(sum(cache_write), 0)::float8 AS cache_write,
         coalesce(sum(${RUN_MS}), 0)::float8 / 1000 AS run_seconds,
         coalesce(sum(lease_wait_ms), 0)::float8 / 1000 AS lease_wait_seconds,
         ${bucketsSql(RUN_MS, b.runSeconds)} AS run_buckets,
         ${bucketsSql('lease_wait_ms', b.leaseWaitSeconds)} AS lease_wait_buckets
  FROM ledger_jobs
  GROUP BY backend, kind, status, lane, failure_class
  ORDER BY backend, kind, status, lane, failure_class NULLS FIRST`;

interface Row {
  backend: string;
  kind: string;
  status: string;
  lane: string;
  failure_class: string | null;
  jobs: number;
  cost_usd: number;
  tokens_in: number;
  tokens_out: number;
  cache_read: number;
  cache_write: number;
  run_seconds: number;
  lease_wait_seconds: number;
  run_buckets: number[];
  lease_wait_buckets: number[];
}

/** One row per group of jobs in the ledger (none when it holds no job). */
export async function jobFigures(db: Queryable, bounds: BucketBounds): Promise<JobFigures[]> {
  const { rows } = await db.query<Row>(figuresSql(bounds));
  return rows.map((r) => ({
    backend: r.backend,
    kind: r.kind,
    status: r.status,
    lane: r.lane,
    failureClass: r.failure_class,
    jobs: r.jobs,
    costUsd: r.cost_usd,
    tokens: { input: r.tokens_in, output: r.tokens_out, cacheRead: r.cache_read, cacheWrite: r.cache_write },
    run: { buckets: r.run_buckets, sumSeconds: r.run_seconds },
    leaseWait: { buckets: r.lease_wait_buckets, sumSeconds: r.lease_wait_seconds },
  }));
}
