// Percentiles and the comparison table: every figure beside its ratio to the floor (the bare pool) and to BullMQ.

export const percentile = (xs: readonly number[], p: number): number => {
  const sorted = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/** One workload's figure on each system (ms, or jobs/s when `higherIsBetter`). */
export interface Row {
  name: string;
  unit: 'ms' | 'jobs/s' | 's';
  higherIsBetter?: boolean;
  nightshift: number;
  /** nightshift again on the dev server in memory (the faster persistence), when measured. */
  memory?: number;
  bullmq: number;
  pool: number;
}

/** How many times worse than the other (1.0 = as good; 2.0 = twice the time, or half the throughput). */
const times = (r: Row, x: number, base: number): number => (r.higherIsBetter ? base / x : x / base);
const fmt = (n: number, unit: Row['unit']): string =>
  Number.isFinite(n) ? `${unit === 'jobs/s' ? n.toFixed(1) : n < 10 ? n.toFixed(2) : n.toFixed(0)} ${unit}` : '-';
const ratio = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(1)}×` : '-');

export function table(rows: readonly Row[]): string {
  const mem = rows.some((r) => r.memory !== undefined);
  const head = [
    'workload',
    'nightshift',
    ...(mem ? ['nightshift, in memory'] : []),
    'BullMQ',
    'bare pool',
    'nightshift/pool',
    'nightshift/BullMQ',
    ...(mem ? ['in memory/BullMQ'] : []),
    'BullMQ/pool',
  ];
  const lines = rows.map((r) => [
    r.name,
    fmt(r.nightshift, r.unit),
    ...(mem ? [fmt(r.memory ?? NaN, r.unit)] : []),
    fmt(r.bullmq, r.unit),
    fmt(r.pool, r.unit),
    ratio(times(r, r.nightshift, r.pool)),
    ratio(times(r, r.nightshift, r.bullmq)),
    ...(mem ? [ratio(times(r, r.memory ?? NaN, r.bullmq))] : []),
    ratio(times(r, r.bullmq, r.pool)),
  ]);
  const all = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...all.map((l) => (l[i] ?? '').length)));
  const row = (l: string[]) => `| ${l.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [row(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...lines.map(row)].join('\n');
}
