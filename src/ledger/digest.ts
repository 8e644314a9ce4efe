// The daily digest's figures over [since, until): counts, rates, tokens and cost (as `stats` computes them), and
// the jobs of the window that wait to be landed (succeeded with a commit, and no landing that is `landed`).
import { UNLANDED_LISTED, type DigestFigures, type Unlanded } from '../protocol/notify.js';
import type { Queryable } from './sql.js';

// Counts and sums as float8 (JS numbers), costs summed as numeric (row order must not change the figure).
const FIGURES_SQL = `
  SELECT jobs, succeeded, failed, no_op, cancelled,
         succeeded / NULLIF(jobs - cancelled, 0) AS success_rate,
         revised / NULLIF(succeeded, 0) AS revised_rate,
         tokens_in, tokens_out, cost_usd
  FROM (
    SELECT count(*)::float8 AS jobs,
           count(*) FILTER (WHERE status = 'succeeded')::float8 AS succeeded,
           count(*) FILTER (WHERE status = 'failed')::float8 AS failed,
           count(*) FILTER (WHERE status = 'no_op')::float8 AS no_op,
           count(*) FILTER (WHERE status = 'cancelled')::float8 AS cancelled,
           count(*) FILTER (WHERE status = 'succeeded' AND revised)::float8 AS revised,
           coalesce(sum(tokens_in), 0)::float8 AS tokens_in,
           coalesce(sum(tokens_out), 0)::float8 AS tokens_out,
           coalesce(sum(cost_usd::numeric), 0)::float8 AS cost_usd
    FROM ledger_jobs
    WHERE finished_at >= $1::timestamptz AND finished_at < $2::timestamptz
  ) g`;

// `total` counts every row before the LIMIT (a window function runs first).
const UNLANDED_SQL = `
  SELECT j.job_id, coalesce(j.branch, '') AS branch, j.commit_sha, j.finished_at, l.status AS landing,
         count(*) OVER ()::float8 AS total
  FROM ledger_jobs j LEFT JOIN ledger_landings l ON l.job_id = j.job_id
  WHERE j.status = 'succeeded' AND j.commit_sha IS NOT NULL AND (l.status IS NULL OR l.status <> 'landed')
    AND j.finished_at >= $1::timestamptz AND j.finished_at < $2::timestamptz
  ORDER BY j.finished_at, j.job_id
  LIMIT ${UNLANDED_LISTED}`;

interface FiguresRow {
  jobs: number;
  succeeded: number;
  failed: number;
  no_op: number;
  cancelled: number;
  success_rate: number | null;
  revised_rate: number | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
}

interface UnlandedRow {
  job_id: string;
  branch: string;
  commit_sha: string;
  finished_at: Date;
  landing: string | null;
  total: number;
}

export async function queryDigest(db: Queryable, since: number, until: number): Promise<DigestFigures> {
  const window = [new Date(since), new Date(until)];
  const [{ rows: figures }, { rows: unlanded }] = await Promise.all([
    db.query<FiguresRow>(FIGURES_SQL, window),
    db.query<UnlandedRow>(UNLANDED_SQL, window),
  ]);
  const f = figures[0];
  return {
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    jobs: f?.jobs ?? 0,
    succeeded: f?.succeeded ?? 0,
    failed: f?.failed ?? 0,
    noOp: f?.no_op ?? 0,
    cancelled: f?.cancelled ?? 0,
    successRate: f?.success_rate ?? null,
    revisedRate: f?.revised_rate ?? null,
    tokensIn: f?.tokens_in ?? 0,
    tokensOut: f?.tokens_out ?? 0,
    costUsd: f?.cost_usd ?? 0,
    unlandedCount: unlanded[0]?.total ?? 0,
    unlanded: unlanded.map(unlandedOf),
  };
}

const unlandedOf = (r: UnlandedRow): Unlanded => ({
  jobId: r.job_id,
  branch: r.branch,
  commit: r.commit_sha,
  finishedAt: new Date(r.finished_at).toISOString(),
  ...(r.landing ? { landing: r.landing } : {}),
});
