// Per (kind, backend) figures over a recent window: what `auto` routing ranks backends by.
import type { RouteFigures } from '../protocol/job.js';
import type { Queryable } from './sql.js';

// Counts come back as float8 (JS numbers). A success after a revision is counted apart from a first-pass one;
// the cost per success charges every job's cost (failures cost too) to the successes, as numeric (order-free).
const ROUTING_SQL = `
  SELECT kind, backend,
         count(*)::float8 AS jobs,
         count(*) FILTER (WHERE status = 'succeeded')::float8 AS succeeded,
         count(*) FILTER (WHERE status = 'cancelled')::float8 AS cancelled,
         count(*) FILTER (WHERE status = 'succeeded' AND NOT revised)::float8 AS first_pass,
         count(*) FILTER (WHERE status = 'succeeded' AND revised)::float8 AS revised,
         (CASE WHEN count(cost_usd) = 0 THEN NULL
               ELSE sum(cost_usd::numeric) / NULLIF(count(*) FILTER (WHERE status = 'succeeded'), 0) END
         )::float8 AS cost_per_success,
         percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms)::float8 AS p50
  FROM ledger_jobs
  WHERE finished_at >= $1::timestamptz
  GROUP BY kind, backend
  ORDER BY kind, backend`;

interface Row {
  kind: string;
  backend: string;
  jobs: number;
  succeeded: number;
  cancelled: number;
  first_pass: number;
  revised: number;
  cost_per_success: number | null;
  p50: number | null;
}

/** One row per (kind, backend) with jobs finished at or after `since` (epoch ms), by kind then backend. */
export async function queryRouting(db: Queryable, since: number): Promise<RouteFigures[]> {
  const { rows } = await db.query<Row>(ROUTING_SQL, [new Date(since)]);
  return rows.map((r) => ({
    kind: r.kind,
    backend: r.backend,
    jobs: r.jobs,
    succeeded: r.succeeded,
    cancelled: r.cancelled,
    firstPass: r.first_pass,
    revised: r.revised,
    costPerSuccess: r.cost_per_success,
    p50DurationMs: r.p50,
  }));
}
