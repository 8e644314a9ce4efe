// Per-group figures as SQL over the ledger: counts, rates, duration percentiles, token and cost sums.
import type { Queryable } from './sql.js';

export const GROUP_BY = ['backend', 'kind', 'lane', 'host'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export interface StatsRow {
  group: string;
  jobs: number;
  succeeded: number;
  failed: number;
  noOp: number;
  cancelled: number;
  /** succeeded / (jobs − cancelled); null when nothing finished. */
  successRate: number | null;
  /** Jobs that needed revision / succeeded; null when none succeeded. */
  revised: number;
  revisedRate: number | null;
  p50DurationMs: number | null;
  p95DurationMs: number | null;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

export interface Stats {
  rows: StatsRow[];
  total: StatsRow;
}

/** Nearest-rank percentile of an ascending list: what `percentile_disc` computes (tests check the SQL with it). */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

// One pass: a row per group and, from the empty grouping set, the total. Counts and sums come back as float8
// (JS numbers; exact below 2^53) instead of bigint/numeric strings. Costs are summed as numeric: a float sum
// depends on row order, which an upsert changes, and the same jobs must give the same figures.
const statsSql = (column: GroupBy): string => `
  SELECT grp, is_total, jobs, succeeded, failed, no_op, cancelled, revised,
         succeeded / NULLIF(jobs - cancelled, 0) AS success_rate,
         revised / NULLIF(succeeded, 0) AS revised_rate,
         p50, p95, tokens_in, tokens_out, cost_usd
  FROM (
    SELECT ${column} AS grp, GROUPING(${column}) = 1 AS is_total,
           count(*)::float8 AS jobs,
           count(*) FILTER (WHERE status = 'succeeded')::float8 AS succeeded,
           count(*) FILTER (WHERE status = 'failed')::float8 AS failed,
           count(*) FILTER (WHERE status = 'no_op')::float8 AS no_op,
           count(*) FILTER (WHERE status = 'cancelled')::float8 AS cancelled,
           count(*) FILTER (WHERE status = 'succeeded' AND revised)::float8 AS revised,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms)::float8 AS p50,
           percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms)::float8 AS p95,
           coalesce(sum(tokens_in), 0)::float8 AS tokens_in,
           coalesce(sum(tokens_out), 0)::float8 AS tokens_out,
           coalesce(sum(cost_usd::numeric), 0)::float8 AS cost_usd
    FROM ledger_jobs
    WHERE ($1::timestamptz IS NULL OR finished_at >= $1::timestamptz)
      AND ($2::timestamptz IS NULL OR finished_at < $2::timestamptz)
    GROUP BY GROUPING SETS ((${column}), ())
  ) g`;

interface Row {
  grp: string | null;
  is_total: boolean;
  jobs: number;
  succeeded: number;
  failed: number;
  no_op: number;
  cancelled: number;
  revised: number;
  success_rate: number | null;
  revised_rate: number | null;
  p50: number | null;
  p95: number | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
}

const rowOf = (group: string, r: Row | undefined): StatsRow => ({
  group,
  jobs: r?.jobs ?? 0,
  succeeded: r?.succeeded ?? 0,
  failed: r?.failed ?? 0,
  noOp: r?.no_op ?? 0,
  cancelled: r?.cancelled ?? 0,
  successRate: r?.success_rate ?? null,
  revised: r?.revised ?? 0,
  revisedRate: r?.revised_rate ?? null,
  p50DurationMs: r?.p50 ?? null,
  p95DurationMs: r?.p95 ?? null,
  tokensIn: r?.tokens_in ?? 0,
  tokensOut: r?.tokens_out ?? 0,
  costUsd: r?.cost_usd ?? 0,
});

/** Rows per group (by job count, then name) and a total row; only jobs finished in [since, until) (epoch ms). */
export async function queryStats(db: Queryable, by: GroupBy, since?: number, until?: number): Promise<Stats> {
  if (!GROUP_BY.includes(by)) throw new Error(`stats: cannot group by "${String(by)}"`); // it names a column
  const at = (ms: number | undefined): Date | null => (ms === undefined ? null : new Date(ms));
  const { rows } = await db.query<Row>(statsSql(by), [at(since), at(until)]);
  const groups = rows
    .filter((r) => !r.is_total)
    .map((r) => rowOf(r.grp ?? '', r))
    .sort((a, b) => b.jobs - a.jobs || a.group.localeCompare(b.group));
  return {
    rows: groups,
    total: rowOf(
      'total',
      rows.find((r) => r.is_total),
    ),
  };
}

/** `7d`, `12h`, `30m`, `90s`, `2w` → milliseconds; undefined when the text is not a duration. */
export function parseSince(text: string): number | undefined {
  const m = /^(\d+)([smhdw])$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}
