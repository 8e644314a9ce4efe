// At job end the result's figures go to the ledger that `nightshift stats` reads (Temporal visibility cannot sum).
import { ledgerEntryOf } from '../ledger/entry.js';
import { appendEntry } from '../ledger/store.js';
import type { JobResult } from '../protocol/result.js';
import type { ActivityDeps } from './deps.js';

export function recordJobWith({ config }: ActivityDeps) {
  return async (result: JobResult): Promise<void> => appendEntry(config.dataDir, ledgerEntryOf(result));
}
