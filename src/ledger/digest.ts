// The daily digest's figures over [since, until): counts, rates, tokens and cost (as `stats` computes them), and
// the jobs of the window that wait to be landed (succeeded with a commit, and no landing that is `landed`).
import { UNLANDED_LISTED, type DigestFigures, type Unlanded } from '../protocol/notify.js';
import type { Queryable } from './sql.js';
import { queryStats } from './stats.js';

// `total` counts every row before the LIMIT (a window function runs first).
const UNLANDED_SQL = `
  SELECT j.job_id, coalesce(j.branch, '') AS branch, j.commit_sha, j.finished_at, l.status AS landing,
         count(*) OVER ()::float8 AS total
  FROM ledger_jobs j LEFT JOIN ledger_landings l ON l.job_id = j.job_id
  WHERE j.status = 'succeeded' AND j.commit_sha IS NOT NULL AND (l.status IS NULL OR l.status <> 'landed')
    AND j.finished_at >= $1::timestamptz AND j.finished_at < $2::timestamptz
  ORDER BY j.finished_at, j.job_id
  LIMIT ${UNLANDED_LISTED}`;

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
  // The figures are `stats`' own total over the window: the digest and `nightshift stats` cannot disagree.
  const [{ total: f }, { rows: unlanded }] = await Promise.all([
    queryStats(db, 'lane', since, until),
    db.query<UnlandedRow>(UNLANDED_SQL, window),
  ]);
  return {
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    jobs: f.jobs,
    succeeded: f.succeeded,
    failed: f.failed,
    noOp: f.noOp,
    cancelled: f.cancelled,
    successRate: f.successRate,
    revisedRate: f.revisedRate,
    tokensIn: f.tokensIn,
    tokensOut: f.tokensOut,
    costUsd: f.costUsd,
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
