// At job end the result's figures go to the ledger that `nightshift stats` reads (Temporal visibility cannot sum).
import type { Config } from '../config/schema.js';
import { ledgerEntryOf } from '../ledger/entry.js';
import { ledgerHandle, type LedgerHandle } from '../ledger/handle.js';
import { importJsonLines } from '../ledger/import.js';
import { ledgerUrl } from '../ledger/url.js';
import type { LandRecord } from '../protocol/land.js';
import type { JobResult } from '../protocol/result.js';
import { logger } from '../support/logger.js';
import type { ActivityDeps } from './deps.js';

const log = logger('ledger');

/**
 * One ledger per worker, opened at its first use (a worker that runs no job and reports to no ledger needs none); a
 * failed open is tried again at the next call. The first open imports this host's old JSON-lines ledger, once.
 */
export function workerLedger(config: Config): LedgerHandle {
  return ledgerHandle(ledgerUrl(config), async (ledger) => {
    // The old file is history: failing to import it must not stop new jobs from being recorded.
    await importJsonLines(ledger, config.dataDir).then(
      (r) => r.file && !r.already && log.info({ ...r, ledger: ledger.url }, 'imported the JSON-lines ledger'),
      (err: unknown) => log.warn({ error: String(err), ledger: ledger.url }, 'the JSON-lines ledger was not imported'),
    );
  });
}

export function ledgerActivities({ ledger }: ActivityDeps) {
  return {
    recordJob: async (result: JobResult): Promise<void> => (await ledger.get()).record(ledgerEntryOf(result)),
    recordLanding: async (record: LandRecord): Promise<void> => (await ledger.get()).recordLanding(record),
  };
}
