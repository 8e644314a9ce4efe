// Counters and histograms of finished jobs, from the ledger's figures (src/ledger/metrics.ts). Computed from the
// ledger, not counted in this process: fleet-wide (every worker records its jobs there) and unchanged across
// restarts of this server and of the workers; a counter only goes down if ledger rows are deleted (a reset to
// Prometheus). Several servers on one ledger export the same figures: take one (or max), never their sum.
import { Histogram, type Registry } from 'prom-client';
import type { BucketBounds, HistogramFigures, JobFigures } from '../ledger/metrics.js';
import type { FamilySpec, Labels, Sample } from './metrics-family.js';

export const BUCKETS: BucketBounds = {
  runSeconds: [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
  leaseWaitSeconds: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
};

const DIRECTIONS = { input: 'input', output: 'output', cacheRead: 'cache_read', cacheWrite: 'cache_write' } as const;

export const LEDGER_COUNTERS: FamilySpec<JobFigures[]>[] = [
  {
    type: 'counter',
    name: 'nightshift_jobs_ended_total',
    help: 'Jobs ended, by backend, kind and status (succeeded, failed, no_op, cancelled), fleet-wide from the ledger.',
    labelNames: ['backend', 'kind', 'status'],
    samples: (rows) => rows.map((r): Sample => [{ backend: r.backend, kind: r.kind, status: r.status }, r.jobs]),
  },
  {
    type: 'counter',
    name: 'nightshift_job_failures_total',
    help: 'Jobs that ended with a failure, by its class (e.g. RateLimited, AgentTimedOut, AgentCrashed), from the ledger.',
    labelNames: ['class'],
    samples: (rows) => rows.flatMap((r): Sample[] => (r.failureClass ? [[{ class: r.failureClass }, r.jobs]] : [])),
  },
  {
    type: 'counter',
    name: 'nightshift_cost_usd_total',
    help: 'Cost in US dollars the agent CLIs reported for ended jobs, by backend, from the ledger.',
    labelNames: ['backend'],
    samples: (rows) => rows.map((r): Sample => [{ backend: r.backend }, r.costUsd]),
  },
  {
    type: 'counter',
    name: 'nightshift_tokens_total',
    help: 'Tokens ended jobs used, by backend and direction (input, output, cache_read, cache_write), from the ledger.',
    labelNames: ['backend', 'direction'],
    samples: (rows) =>
      rows.flatMap((r) =>
        Object.entries(DIRECTIONS).map(([key, direction]): Sample => [
          { backend: r.backend, direction },
          r.tokens[key as keyof typeof DIRECTIONS],
        ]),
      ),
  },
];

interface HistogramSpec {
  name: string;
  help: string;
  label: 'backend' | 'lane';
  bounds: readonly number[];
  pick(f: JobFigures): HistogramFigures;
}

export const LEDGER_HISTOGRAMS: HistogramSpec[] = [
  {
    name: 'nightshift_agent_duration_seconds',
    help: 'Time each ended job held its slot, lease grant to end (workspace, agent runs, checks), by backend.',
    label: 'backend',
    bounds: BUCKETS.runSeconds,
    pick: (f) => f.run,
  },
  {
    name: 'nightshift_lease_wait_seconds',
    help: 'Time each ended job waited for its capacity lease, from queued to granted, by lane.',
    label: 'lane',
    bounds: BUCKETS.leaseWaitSeconds,
    pick: (f) => f.leaseWait,
  },
];

interface Series {
  labels: Labels;
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * A histogram whose buckets the ledger counted (prom-client's Histogram is filled only by observations): the
 * registry reads getForPromString() for the text format, and get() (JSON) goes through it too.
 */
export class LedgerHistogram extends Histogram {
  constructor(
    registry: Registry,
    private readonly spec: HistogramSpec,
    private readonly source: () => Promise<JobFigures[] | undefined>,
  ) {
    super({
      name: spec.name,
      help: spec.help,
      labelNames: [spec.label],
      buckets: [...spec.bounds],
      registers: [registry],
    });
  }

  async getForPromString() {
    const { name, help, bounds } = this.spec;
    const values = this.series((await this.source()) ?? []).flatMap(({ labels, buckets, sum, count }) => [
      ...bounds.map((le, i) => ({
        metricName: `${name}_bucket`,
        labels: { ...labels, le: String(le) },
        value: buckets[i] ?? 0,
      })),
      { metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count },
      { metricName: `${name}_sum`, labels, value: sum },
      { metricName: `${name}_count`, labels, value: count },
    ]);
    return { name, help, type: 'histogram', aggregator: 'sum', values };
  }

  /** The groups' figures folded by this histogram's one label (bucket counts and sums add up). */
  private series(rows: JobFigures[]): Series[] {
    const by = new Map<string, Series>();
    for (const row of rows) {
      const value = row[this.spec.label];
      const figures = this.spec.pick(row);
      const s = by.get(value) ?? { labels: { [this.spec.label]: value }, buckets: [], sum: 0, count: 0 };
      s.buckets = this.spec.bounds.map((_, i) => (s.buckets[i] ?? 0) + (figures.buckets[i] ?? 0));
      s.sum += figures.sumSeconds;
      s.count += row.jobs;
      by.set(value, s);
    }
    return [...by.keys()].sort().map((k) => by.get(k)!);
  }
}
