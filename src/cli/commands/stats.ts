// `nightshift stats [--since 7d] [--by backend|kind|lane|host] [--json]`: figures from the job ledger (PostgreSQL).
import { LedgerUnreachableError, openLedger, type Ledger } from '../../ledger/db.js';
import { importSkipped } from '../../ledger/import.js';
import { GROUP_BY, parseSince, type GroupBy, type StatsRow } from '../../ledger/stats.js';
import { ledgerUrl } from '../../ledger/url.js';
import { UsageError } from '../../support/usage-error.js';
import { parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../errors.js';

export const OPTIONS = { since: { type: 'string' }, by: { type: 'string' } } as const;

export async function stats(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parse(argv, OPTIONS);
  if (positionals.length) throw new UsageError(`stats: unexpected argument "${positionals[0] ?? ''}"`);
  const by = (v.by ?? 'backend') as GroupBy;
  if (!GROUP_BY.includes(by)) throw new UsageError(`--by: expected one of ${GROUP_BY.join(', ')}, got "${v.by ?? ''}"`);
  let since: number | undefined;
  if (v.since !== undefined) {
    const ms = parseSince(v.since);
    if (ms === undefined)
      throw new UsageError(`--since: expected a duration like 90s, 30m, 12h, 7d or 2w, got "${v.since}"`);
    since = Date.now() - ms;
  }
  let ledger: Ledger;
  try {
    ledger = await openLedger(ledgerUrl(ctx.config));
  } catch (err) {
    if (!(err instanceof LedgerUnreachableError)) throw err;
    process.stderr.write(`nightshift: ${err.message}\n`); // the message masks the password
    return EXIT.unreachable;
  }
  try {
    const [{ rows, total }, skipped] = await Promise.all([ledger.stats(by, since), importSkipped(ledger)]);
    if (v.json) {
      const sinceIso = since === undefined ? null : new Date(since).toISOString();
      printJson({ by, since: sinceIso, ledger: ledger.url, skippedLines: skipped, rows, total });
      return 0;
    }
    printTable(by, rows, total, since);
    if (skipped)
      process.stderr.write(`nightshift: ${skipped} unreadable line(s) of the old JSON-lines ledger skipped\n`);
    return 0;
  } finally {
    await ledger.close();
  }
}

const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);
const secs = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(1)}s`);

export function printTable(by: GroupBy, rows: StatsRow[], total: StatsRow, since: number | undefined): void {
  const header = [
    by,
    'jobs',
    'ok',
    'failed',
    'no_op',
    'cancel',
    'success',
    'revised',
    'p50',
    'p95',
    'tok in',
    'tok out',
    'cost',
  ];
  const cells = (r: StatsRow): string[] => [
    r.group,
    String(r.jobs),
    String(r.succeeded),
    String(r.failed),
    String(r.noOp),
    String(r.cancelled),
    pct(r.successRate),
    pct(r.revisedRate),
    secs(r.p50DurationMs),
    secs(r.p95DurationMs),
    String(r.tokensIn),
    String(r.tokensOut),
    `$${r.costUsd.toFixed(2)}`,
  ];
  const table = [header, ...rows.map(cells), cells(total)];
  const widths = header.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]): string =>
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const out: string[] = [
    since === undefined ? 'all jobs in the ledger' : `jobs finished since ${new Date(since).toISOString()}`,
    line(header),
  ];
  for (const row of table.slice(1)) out.push(line(row));
  process.stdout.write(out.join('\n') + '\n');
}
