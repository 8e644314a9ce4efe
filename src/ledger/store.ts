// Writing jobs to the ledger: one UPSERT per job id, so a retried activity (or a repeated import) leaves one row.
import type { LedgerEntry } from './entry.js';
import type { Queryable, SqlValue } from './sql.js';

/** Integer columns take integers (a fractional figure would fail the whole write). */
const int = (n: number): number => Math.round(n);

/** Column ← entry field, in insert order. */
const COLUMNS: readonly (readonly [string, (e: LedgerEntry) => SqlValue])[] = [
  ['job_id', (e) => e.jobId],
  ['status', (e) => e.status],
  ['backend', (e) => e.backend],
  ['kind', (e) => e.kind],
  ['lane', (e) => e.lane],
  ['host', (e) => e.host],
  ['queued_at', (e) => new Date(e.queuedAt)],
  ['finished_at', (e) => new Date(e.finishedAt)],
  ['duration_ms', (e) => int(e.durationMs)],
  ['lease_wait_ms', (e) => int(e.leaseWaitMs)],
  ['tokens_in', (e) => int(e.tokensIn)],
  ['tokens_out', (e) => int(e.tokensOut)],
  ['cache_read', (e) => int(e.cacheRead)],
  ['cache_write', (e) => int(e.cacheWrite)],
  ['cost_usd', (e) => e.costUsd ?? null],
  ['attempts', (e) => int(e.attempts)],
  ['revised', (e) => e.revised],
  ['reviewed', (e) => e.reviewed],
  ['failure_class', (e) => e.failureClass ?? null],
  ['commit_sha', (e) => e.commitSha ?? null],
  ['branch', (e) => e.branch ?? null],
  ['diff_files', (e) => (e.diffFiles === undefined ? null : int(e.diffFiles))],
  ['diff_insertions', (e) => (e.diffInsertions === undefined ? null : int(e.diffInsertions))],
  ['diff_deletions', (e) => (e.diffDeletions === undefined ? null : int(e.diffDeletions))],
  ['sandbox', (e) => e.sandbox ?? null],
  ['outside_writes', (e) => (e.outsideWrites ? JSON.stringify(e.outsideWrites) : null)],
  ['tampered', (e) => (e.tampered ? JSON.stringify(e.tampered) : null)],
];

const NAMES = COLUMNS.map(([c]) => c).join(', ');
const UPDATE = COLUMNS.slice(1)
  .map(([c]) => `${c} = EXCLUDED.${c}`)
  .concat('recorded_at = now()')
  .join(', ');

/** Rows per statement (a few hundred KiB of SQL). */
const BATCH = 1000;

/** Upserts the entries (the last one per job id wins); one statement per batch. */
export async function recordEntries(db: Queryable, entries: readonly LedgerEntry[]): Promise<void> {
  const byId = new Map(entries.map((e) => [e.jobId, e]));
  const unique = [...byId.values()];
  for (let i = 0; i < unique.length; i += BATCH) {
    const batch = unique.slice(i, i + BATCH);
    const values = batch.flatMap((e) => COLUMNS.map(([, field]) => field(e)));
    const rows = batch.map((_, r) => `(${COLUMNS.map((_c, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`);
    await db.query(
      `INSERT INTO ledger_jobs (${NAMES}) VALUES ${rows.join(', ')} ON CONFLICT (job_id) DO UPDATE SET ${UPDATE}`,
      values,
    );
  }
}
