// `nightshift stats [--since 7d] [--by backend|kind|lane] [--json]`: figures from the job ledger, no server needed.
import { readLedger, ledgerPath } from '../../ledger/store.js';
import { computeStats, GROUP_BY, parseSince, type GroupBy, type StatsRow } from '../../ledger/stats.js';
import { UsageError } from '../../support/usage-error.js';
import { parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';

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
  const { entries, skipped } = await readLedger(ctx.config.dataDir);
  const { rows, total } = computeStats(entries, by, since);
  if (v.json) {
    printJson({
      by,
      since: since === undefined ? null : new Date(since).toISOString(),
      ledger: ledgerPath(ctx.config.dataDir),
      skippedLines: skipped,
      rows,
      total,
    });
    return 0;
  }
  printTable(by, rows, total, since);
  if (skipped) process.stderr.write(`nightshift: ${skipped} unreadable ledger line(s) skipped\n`);
  return 0;
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
