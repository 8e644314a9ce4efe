// GET /metrics: Prometheus text from a registry of this app's own (tests build several apps in one process), every
// family computed at scrape time from one snapshot: one capacity query and one ledger query per scrape. The job
// counters and histograms come from the ledger (see metrics-ledger.ts): fleet-wide, and they survive restarts.
// Either source may be down: the other's families still answer, and `nightshift_{engine,ledger}_up 0` says which.
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { capacityView } from '../client/jobs.js';
import { jobFigures, type JobFigures } from '../ledger/metrics.js';
import { logger } from '../support/logger.js';
import type { HttpDeps } from './deps.js';
import { CAPACITY_GAUGES, capacitySource, type CapacitySource } from './metrics-capacity.js';
import { registerFamily, type FamilySpec } from './metrics-family.js';
import { BUCKETS, LEDGER_COUNTERS, LEDGER_HISTOGRAMS, LedgerHistogram } from './metrics-ledger.js';

const log = logger('http');
/** Within Prometheus' default scrape timeout (10 s): an unreachable engine's query would retry for ~20 s. */
const ENGINE_DEADLINE_MS = 5000;

/** One scrape's view of the engine and the ledger; undefined: that source did not answer. */
interface Snapshot {
  capacity: CapacitySource | undefined;
  figures: JobFigures[] | undefined;
}

const UP: FamilySpec<Snapshot>[] = [
  {
    type: 'gauge',
    name: 'nightshift_engine_up',
    help: "Whether Temporal answered this scrape's capacity query; 0: the capacity gauges are absent.",
    samples: (s) => [[{}, s.capacity ? 1 : 0]],
  },
  {
    type: 'gauge',
    name: 'nightshift_ledger_up',
    help: 'Whether the ledger answered this scrape; 0: unreachable, the job counters and histograms are absent.',
    samples: (s) => [[{}, s.figures ? 1 : 0]],
  },
];

async function takeSnapshot(deps: HttpDeps): Promise<Snapshot> {
  const unanswered = (source: string) => (err: unknown) => {
    log.debug({ error: err instanceof Error ? err.message : String(err) }, `metrics: the ${source} did not answer`);
    return undefined;
  };
  const [capacity, figures] = await Promise.all([
    deps.client
      .withDeadline(Date.now() + ENGINE_DEADLINE_MS, () => capacityView(deps.client, deps.config))
      .then((view) => capacitySource(deps.config, view), unanswered('engine')),
    deps.ledger
      .get()
      .then((ledger) => jobFigures(ledger.db, BUCKETS))
      .catch(unanswered('ledger')),
  ]);
  return { capacity, figures };
}

export interface Metrics {
  registry: Registry;
  /** The text format of every family, from one snapshot. */
  scrape(): Promise<string>;
}

/** The registry and its scrape; `registry` alone (never scraped) names the families, for tests. */
export function metricsRegistry(deps: HttpDeps): Metrics {
  const registry = new Registry();
  // Every family's collect() of one scrape shares this snapshot (a scrape that starts meanwhile shares it too).
  let pending: Promise<Snapshot> | undefined;
  const snapshot = () => (pending ??= takeSnapshot(deps));
  for (const spec of UP) registerFamily(registry, spec, snapshot);
  for (const spec of CAPACITY_GAUGES) registerFamily(registry, spec, async () => (await snapshot()).capacity);
  for (const spec of LEDGER_COUNTERS) registerFamily(registry, spec, async () => (await snapshot()).figures);
  for (const spec of LEDGER_HISTOGRAMS) new LedgerHistogram(registry, spec, async () => (await snapshot()).figures);
  return {
    registry,
    async scrape() {
      try {
        return await registry.metrics();
      } finally {
        pending = undefined; // the next scrape takes a fresh snapshot
      }
    },
  };
}

export function registerMetrics(app: FastifyInstance, deps: HttpDeps): void {
  const metrics = metricsRegistry(deps);
  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.scrape();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
