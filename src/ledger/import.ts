// The JSON-lines ledger of earlier versions (<dataDir>/ledger/jobs.jsonl), imported into the database once.
import { readFile, realpath } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Ledger } from './db.js';
import { UNKNOWN_HOST, type LedgerEntry } from './entry.js';

const KEY_PREFIX = 'import:jsonl:';

export const jsonLinesPath = (dataDir: string): string => join(dataDir, 'ledger', 'jobs.jsonl');

export interface ImportResult {
  /** The file, or undefined when there is none. */
  file?: string;
  /** Jobs written (distinct job ids; a job appended twice counts once). */
  imported: number;
  /** Lines that did not parse (a torn last line after a crash): skipped, counted. */
  skipped: number;
  /** The meta row said this file was imported before: nothing was read. */
  already: boolean;
}

/** Imports the file once per host and path (a meta row remembers it; the upsert makes a repeat harmless anyway). */
export async function importJsonLines(ledger: Ledger, dataDir: string): Promise<ImportResult> {
  let file = jsonLinesPath(dataDir);
  let text: string;
  try {
    file = await realpath(file);
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { imported: 0, skipped: 0, already: false };
    throw err;
  }
  const key = `${KEY_PREFIX}${hostname()}:${file}`;
  const seen = await ledger.db.query('SELECT 1 FROM ledger_meta WHERE key = $1', [key]);
  if (seen.rowCount) return { file, imported: 0, skipped: 0, already: true };
  const { entries, skipped } = parseLines(text);
  await ledger.recordMany(entries);
  const imported = new Set(entries.map((e) => e.jobId)).size;
  await ledger.db.query(
    'INSERT INTO ledger_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()',
    [key, JSON.stringify({ imported, skipped, at: new Date().toISOString() })],
  );
  return { file, imported, skipped, already: false };
}

const STRINGS = ['jobId', 'status', 'backend', 'kind', 'lane'] as const;
const NUMBERS = ['queuedAt', 'finishedAt', 'durationMs', 'leaseWaitMs', 'tokensIn', 'tokensOut', 'attempts'] as const;

/** A parsed line with every field the table requires (a line from another program is skipped, not half-written). */
function isEntry(e: Partial<LedgerEntry>): boolean {
  return STRINGS.every((k) => typeof e[k] === 'string') && NUMBERS.every((k) => Number.isFinite(e[k]));
}

/** Every line that is a ledger entry; older lines have no host (and lines before cache figures have none). */
function parseLines(text: string): { entries: LedgerEntry[]; skipped: number } {
  const entries: LedgerEntry[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as Partial<LedgerEntry>;
      if (!isEntry(e)) throw new Error('not a ledger entry');
      entries.push({
        cacheRead: 0,
        cacheWrite: 0,
        revised: false,
        reviewed: false,
        ...e,
        host: e.host ?? UNKNOWN_HOST,
      } as LedgerEntry);
    } catch {
      skipped++;
    }
  }
  return { entries, skipped };
}

/** Lines the imports skipped, over every host and file: `stats` still reports them. */
export async function importSkipped(ledger: Ledger): Promise<number> {
  const { rows } = await ledger.db.query<{ n: number }>(
    "SELECT coalesce(sum((value->>'skipped')::int), 0)::float8 AS n FROM ledger_meta WHERE starts_with(key, $1)",
    [KEY_PREFIX],
  );
  return rows[0]?.n ?? 0;
}
