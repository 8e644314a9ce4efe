// A job's landing as the ledger records it (what `status` adds to a job with a commit); the ledger away is no error.
import { openLedger, type LandingRow } from '../../ledger/db.js';
import { ledgerUrl } from '../../ledger/url.js';
import type { CliContext } from '../context.js';

export async function landingOf(ctx: CliContext, jobId: string): Promise<LandingRow | undefined> {
  try {
    const ledger = await openLedger(ledgerUrl(ctx.config));
    try {
      return await ledger.landingOf(jobId);
    } finally {
      await ledger.close();
    }
  } catch {
    return undefined; // `status` reads Temporal; the landing line is extra
  }
}
