// The ledger: one JSON line per finished job, appended by an activity at job end, read whole by `stats`.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LedgerEntry } from './entry.js';

export const ledgerPath = (dataDir: string): string => join(dataDir, 'ledger', 'jobs.jsonl');

/** One write per line with O_APPEND: concurrent workers on one host do not interleave lines. */
export async function appendEntry(dataDir: string, entry: LedgerEntry): Promise<void> {
  const file = ledgerPath(dataDir);
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, JSON.stringify(entry) + '\n', { flag: 'a' });
}

export interface LedgerRead {
  entries: LedgerEntry[];
  /** Lines that did not parse (a torn last line after a crash): skipped, counted. */
  skipped: number;
}

/** Every job once: a retried activity may have appended a job twice, and the last line wins. */
export async function readLedger(dataDir: string): Promise<LedgerRead> {
  let text: string;
  try {
    text = await readFile(ledgerPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], skipped: 0 };
    throw err;
  }
  const byId = new Map<string, LedgerEntry>();
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as LedgerEntry;
      byId.set(e.jobId, e);
    } catch {
      skipped++;
    }
  }
  return { entries: [...byId.values()], skipped };
}
