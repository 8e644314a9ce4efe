// The ledger's tables, as numbered migrations: each runs once per database, under a lock, in one transaction.
import type pg from 'pg';
import { inTransaction } from './sql.js';

/** Append only: a shipped migration never changes (a database that ran it will not run it again). */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE ledger_jobs (
     job_id text PRIMARY KEY,
     status text NOT NULL,
     backend text NOT NULL,
     kind text NOT NULL,
     lane text NOT NULL,
     host text NOT NULL DEFAULT 'unknown',
     queued_at timestamptz NOT NULL,
     finished_at timestamptz NOT NULL,
     duration_ms bigint NOT NULL,
     lease_wait_ms bigint NOT NULL,
     tokens_in bigint NOT NULL,
     tokens_out bigint NOT NULL,
     cache_read bigint NOT NULL,
     cache_write bigint NOT NULL,
     cost_usd double precision,
     attempts integer NOT NULL,
     revised boolean NOT NULL,
     reviewed boolean NOT NULL,
     failure_class text,
     recorded_at timestamptz NOT NULL DEFAULT now()
   );
   CREATE INDEX ledger_jobs_finished_at ON ledger_jobs (finished_at);
   CREATE TABLE ledger_hosts (
     host_id text PRIMARY KEY,
     version text NOT NULL,
     max_agents integer NOT NULL,
     running_agents integer NOT NULL,
     waiting_agents integer NOT NULL,
     started_at timestamptz NOT NULL,
     seen_at timestamptz NOT NULL
   );
   CREATE TABLE ledger_meta (
     key text PRIMARY KEY,
     value jsonb NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now()
   );`,
  // Results that land: each job's commit and diff stat, and its landing (by `nightshift land`).
  `ALTER TABLE ledger_jobs
     ADD COLUMN commit_sha text,
     ADD COLUMN branch text,
     ADD COLUMN diff_files integer,
     ADD COLUMN diff_insertions integer,
     ADD COLUMN diff_deletions integer;
   CREATE TABLE ledger_landings (
     job_id text PRIMARY KEY,
     status text NOT NULL,
     target text NOT NULL,
     commit_sha text,
     detail text,
     updated_at timestamptz NOT NULL DEFAULT now()
   );`,
  // The sandbox: how each job was confined, and what an unconfined job changed in its source repo's own checkout.
  `ALTER TABLE ledger_jobs
     ADD COLUMN sandbox text,
     ADD COLUMN outside_writes jsonb;`,
  // Git metadata the agent changed in its workspace (its work was not committed).
  `ALTER TABLE ledger_jobs ADD COLUMN tampered jsonb;`,
];

/** The schema version a migrated database is at: one `ledger_migrations` row per migration. */
export const LEDGER_SCHEMA_VERSION = MIGRATIONS.length;

/** Any number below 2^63: the advisory lock that keeps two processes from migrating at once. */
const MIGRATION_LOCK = 7244_0001;

/** Brings the database up to the newest migration; a no-op when it is there (one round trip after the lock). */
export async function migrate(client: pg.PoolClient): Promise<void> {
  await inTransaction(client, async (db) => {
    await db.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await db.query(
      'CREATE TABLE IF NOT EXISTS ledger_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM ledger_migrations');
    for (let v = (rows[0]?.v ?? 0) + 1; v <= MIGRATIONS.length; v++) {
      await db.query(MIGRATIONS[v - 1] ?? '');
      await db.query('INSERT INTO ledger_migrations (version) VALUES ($1)', [v]);
    }
  });
}
