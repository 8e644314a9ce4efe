// At job end the result's figures go to the ledger that `nightshift stats` reads (Temporal visibility cannot sum).
import type { Ledger } from '../ledger/db.js';
import { ledgerEntryOf } from '../ledger/entry.js';
import { importJsonLines } from '../ledger/import.js';
import { ledgerUrl } from '../ledger/url.js';
import type { LandRecord } from '../protocol/land.js';
import type { JobResult } from '../protocol/result.js';
import { logger } from '../support/logger.js';
import type { ActivityDeps } from './deps.js';

const log = logger('ledger');

/**
 * One ledger per worker, opened at its first job end (a worker that runs no job needs no ledger); a failed open
 * is tried again at the next call. The first open imports this host's old JSON-lines ledger, once.
 */
export function ledgerActivities({ config }: ActivityDeps) {
  let opening: Promise<Ledger> | undefined;
  const ledger = (): Promise<Ledger> =>
    (opening ??= openForWorker(ledgerUrl(config), config.dataDir).catch((err: unknown) => {
      opening = undefined;
      throw err;
    }));
  return {
    recordJob: async (result: JobResult): Promise<void> => (await ledger()).record(ledgerEntryOf(result)),
    recordLanding: async (record: LandRecord): Promise<void> => (await ledger()).recordLanding(record),
  };
}

async function openForWorker(url: string, dataDir: string): Promise<Ledger> {
  const { openLedger } = await import('../ledger/db.js'); // on use: every CLI start loads this module, not `pg`
  const ledger = await openLedger(url);
  // The old file is history: failing to import it must not stop new jobs from being recorded.
  await importJsonLines(ledger, dataDir).then(
    (r) => r.file && !r.already && log.info({ ...r, ledger: ledger.url }, 'imported the JSON-lines ledger'),
    (err: unknown) => log.warn({ error: String(err), ledger: ledger.url }, 'the JSON-lines ledger was not imported'),
  );
  return ledger;
}
