// The one way any process reaches the ledger: a small `pg` pool that fails fast with the URL (password masked).
import pg from 'pg';
import { logger } from '../support/logger.js';
import { maskPassword, maskUrl } from './url.js';

/** A person is waiting (the CLI) or a job is ending (the activity): 3 s, then say the ledger is not there. */
const CONNECT_TIMEOUT_MS = 3000;

/** The ledger could not be reached: the message names the URL (password masked) and how to start one. */
export class LedgerUnreachableError extends Error {
  override name = 'LedgerUnreachableError';
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(
      `cannot reach the job ledger at ${maskUrl(url)} (${maskPassword(reason, url)}): start the embedded one with \`nightshift dev\`, or set ledger.url / NIGHTSHIFT_LEDGER_URL to a running PostgreSQL`,
    );
  }
}

/** Ledger traffic is one write per job end and a few reads: a handful of connections is plenty. */
export function createPool(url: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    max: 4,
    idleTimeoutMillis: 5000,
    // An idle pool does not keep a CLI or a test process alive.
    allowExitOnIdle: true,
  });
  // An idle connection the server closed (a restart, a `dev` that stopped) is dropped and replaced on the next query,
  // which fails loudly if the server is still gone; without a listener the pool's error would crash the process.
  pool.on('error', (err) =>
    logger('ledger').debug({ error: maskPassword(err.message, url) }, 'idle ledger connection lost'),
  );
  return pool;
}

/** A client of the pool, or LedgerUnreachableError; the caller releases it. */
export async function connect(pool: pg.Pool, url: string): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (err) {
    throw new LedgerUnreachableError(url, reasonOf(err));
  }
}

/** An AggregateError (every address of `localhost` refused) has no message of its own, but a code. */
function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.message || (err as NodeJS.ErrnoException).code || err.name;
}
