// One ledger pool for a whole worker (its activities and its host heartbeat): opened on first use, opened again
// after a failed open, closed once when the worker stops.
import type { Ledger } from './db.js';

export interface LedgerHandle {
  get(): Promise<Ledger>;
  close(): Promise<void>;
}

/** `onOpen` runs once per successful open (a worker imports its old JSON-lines ledger there). */
export function ledgerHandle(url: string, onOpen?: (ledger: Ledger) => Promise<void>): LedgerHandle {
  let opening: Promise<Ledger> | undefined;
  const open = async (): Promise<Ledger> => {
    const { openLedger } = await import('./db.js'); // on use: every CLI start loads this module, not `pg`
    const ledger = await openLedger(url);
    await onOpen?.(ledger);
    return ledger;
  };
  return {
    get: () =>
      (opening ??= open().catch((err: unknown) => {
        opening = undefined;
        throw err;
      })),
    async close() {
      const was = opening;
      opening = undefined;
      await (await was?.catch(() => undefined))?.close();
    },
  };
}
