// Per-group figures over ledger entries: counts, rates, duration percentiles, token and cost sums.
import type { LedgerEntry } from './entry.js';

export const GROUP_BY = ['backend', 'kind', 'lane'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export interface StatsRow {
  group: string;
  jobs: number;
  succeeded: number;
  failed: number;
  noOp: number;
  cancelled: number;
  /** succeeded / (jobs − cancelled); null when nothing finished. */
  successRate: number | null;
  /** Jobs that needed revision / succeeded; null when none succeeded. */
  revised: number;
  revisedRate: number | null;
  p50DurationMs: number | null;
  p95DurationMs: number | null;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

function rowOf(group: string, es: LedgerEntry[]): StatsRow {
  const count = (s: LedgerEntry['status']): number => es.filter((e) => e.status === s).length;
  const succeeded = count('succeeded');
  const cancelled = count('cancelled');
  const revised = es.filter((e) => e.status === 'succeeded' && e.revised).length;
  const durations = es.map((e) => e.durationMs).sort((a, b) => a - b);
  const sum = (f: (e: LedgerEntry) => number): number => es.reduce((acc, e) => acc + f(e), 0);
  return {
    group,
    jobs: es.length,
    succeeded,
    failed: count('failed'),
    noOp: count('no_op'),
    cancelled,
    successRate: es.length - cancelled > 0 ? succeeded / (es.length - cancelled) : null,
    revised,
    revisedRate: succeeded > 0 ? revised / succeeded : null,
    p50DurationMs: percentile(durations, 50),
    p95DurationMs: percentile(durations, 95),
    tokensIn: sum((e) => e.tokensIn),
    tokensOut: sum((e) => e.tokensOut),
    costUsd: sum((e) => e.costUsd ?? 0),
  };
}

/** Rows per group (sorted by job count, then name) and a total row; only jobs finished at or after `since`. */
export function computeStats(all: LedgerEntry[], by: GroupBy, since?: number): { rows: StatsRow[]; total: StatsRow } {
  const entries = since === undefined ? all : all.filter((e) => e.finishedAt >= since);
  const groups = new Map<string, LedgerEntry[]>();
  for (const e of entries) {
    const key = e[by];
    const list = groups.get(key);
    if (list) list.push(e);
    else groups.set(key, [e]);
  }
  const rows = [...groups]
    .map(([g, es]) => rowOf(g, es))
    .sort((a, b) => b.jobs - a.jobs || a.group.localeCompare(b.group));
  return { rows, total: rowOf('total', entries) };
}

/** `7d`, `12h`, `30m`, `90s`, `2w` → milliseconds; undefined when the text is not a duration. */
export function parseSince(text: string): number | undefined {
  const m = /^(\d+)([smhdw])$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}
