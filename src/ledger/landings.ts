// Each job's landing as the merge queue last reported it: one row per job, replaced on every report.
import type { LandRecord, LandState } from '../protocol/land.js';
import type { Queryable } from './sql.js';

export interface LandingRow extends LandRecord {
  updatedAt: number;
}

export async function recordLanding(db: Queryable, r: LandRecord): Promise<void> {
  await db.query(
    `INSERT INTO ledger_landings (job_id, status, target, commit_sha, detail) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (job_id) DO UPDATE SET status = EXCLUDED.status, target = EXCLUDED.target,
       commit_sha = EXCLUDED.commit_sha, detail = EXCLUDED.detail, updated_at = now()`,
    [r.jobId, r.status, r.target, r.commit ?? null, r.detail ?? null],
  );
}

interface Row {
  job_id: string;
  status: string;
  target: string;
  commit_sha: string | null;
  detail: string | null;
  updated_at: Date;
}

export async function landingOf(db: Queryable, jobId: string): Promise<LandingRow | undefined> {
  const { rows } = await db.query<Row>('SELECT * FROM ledger_landings WHERE job_id = $1', [jobId]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    jobId: row.job_id,
    status: row.status as LandState,
    target: row.target,
    ...(row.commit_sha ? { commit: row.commit_sha } : {}),
    ...(row.detail ? { detail: row.detail } : {}),
    updatedAt: new Date(row.updated_at).getTime(),
  };
}
