// The ledger as one object: opened by URL (PostgreSQL or the embedded server), it writes and reads jobs and hosts.
import type pg from 'pg';
import type { LandRecord } from '../protocol/land.js';
import type { DigestFigures } from '../protocol/notify.js';
import { queryDigest } from './digest.js';
import type { LedgerEntry } from './entry.js';
import { landingOf, recordLanding, type LandingRow } from './landings.js';
import { listHosts, upsertHost, type HostRecord } from './hosts.js';
import { connect, createPool } from './pool.js';
import { migrate } from './schema.js';
import { inTransaction, queryable, type Queryable } from './sql.js';
import type { RouteFigures } from '../protocol/job.js';
import { queryRouting } from './routing.js';
import { queryStats, type GroupBy, type Stats } from './stats.js';
import { recordEntries } from './store.js';
import { maskUrl } from './url.js';

export interface Ledger {
  /** The URL with its password masked: safe in messages and logs. */
  readonly url: string;
  /** Single-message statements (see sql.ts) for the ledger's own modules and tests; callers use the methods. */
  readonly db: Queryable;
  /** Upsert on job id: writing a job again (a retried activity) replaces its row. */
  record(entry: LedgerEntry): Promise<void>;
  recordMany(entries: readonly LedgerEntry[]): Promise<void>;
  /** Figures per group and in total, over jobs finished at or after `since` (epoch ms; all when undefined). */
  stats(by: GroupBy, since?: number): Promise<Stats>;
  /** Per (kind, backend) figures over jobs finished at or after `since` (epoch ms): `auto` routing's data. */
  routing(since: number): Promise<RouteFigures[]>;
  /** A host's heartbeat: insert or replace its row. */
  upsertHost(host: HostRecord): Promise<void>;
  /** Every host that ever reported, by host id. */
  listHosts(): Promise<HostRecord[]>;
  /** A job's landing (merge queue): replaced on each report. */
  recordLanding(record: LandRecord): Promise<void>;
  landingOf(jobId: string): Promise<LandingRow | undefined>;
  /** The digest's figures over jobs finished in [since, until) (epoch ms). */
  digest(since: number, until: number): Promise<DigestFigures>;
  /** Ends the pool; the object is unusable after. */
  close(): Promise<void>;
}

/** Connects (3 s timeout: LedgerUnreachableError, password masked) and brings the schema up to date. */
export async function openLedger(url: string): Promise<Ledger> {
  const pool = createPool(url);
  try {
    const client = await connect(pool, url);
    try {
      await migrate(client);
      client.release();
    } catch (err) {
      client.release(true); // a failed migration may leave the connection mid-transaction: drop it
      throw err;
    }
  } catch (err) {
    await pool.end();
    throw err;
  }
  const db = queryable(pool);
  return {
    url: maskUrl(url),
    db,
    record: (entry) => recordEntries(db, [entry]),
    recordMany: (entries) => recordBatch(pool, url, entries),
    stats: (by, since) => queryStats(db, by, since),
    routing: (since) => queryRouting(db, since),
    upsertHost: (host) => upsertHost(db, host),
    listHosts: () => listHosts(db),
    recordLanding: (record) => recordLanding(db, record),
    landingOf: (jobId) => landingOf(db, jobId),
    digest: (since, until) => queryDigest(db, since, until),
    close: () => pool.end(),
  };
}

/** Many jobs at once (the import): one transaction, so a batch is whole or absent. */
async function recordBatch(pool: pg.Pool, url: string, entries: readonly LedgerEntry[]): Promise<void> {
  const client = await connect(pool, url);
  try {
    await inTransaction(client, (db) => recordEntries(db, entries));
  } finally {
    client.release();
  }
}

export type { HostRecord } from './hosts.js';
export type { LandingRow } from './landings.js';
export type { GroupBy, Stats, StatsRow } from './stats.js';
export { LedgerUnreachableError } from './pool.js';
export { ledgerUrl, maskUrl } from './url.js';
