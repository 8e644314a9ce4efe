// nightshift side by side with BullMQ on a real Redis and a bare process pool (the floor), in one run, one table.
// Run: npm run bench:compare   (node --import tsx bench/compare.ts [--jobs 1000] [--rounds 30] [--persistence both])
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { bullmq } from './compare/bullmq.js';
import { nightshift, startEngine } from './compare/nightshift.js';
import { barePool } from './compare/pool.js';
import { startRedis } from './compare/redis.js';
import { table, type Row } from './compare/stats.js';
import { measure, type Figures, type System } from './compare/workloads.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '30' },
    // The dev server on SQLite (as `nightshift dev`), in memory (the faster persistence), or both side by side.
    persistence: { type: 'string', default: 'both' },
  },
});
const o = { jobs: Number(values.jobs), rounds: Number(values.rounds), slots: 20 };

async function poolFigures(): Promise<Figures> {
  const [background, operator] = [barePool(o.slots - 1), barePool(1)];
  const sys: System = {
    submit: (s, lane) => (lane === 'operator' ? operator : background).submit(s),
    queued: () => Promise.resolve(background.queued()),
  };
  return measure(sys, o);
}

async function bullmqFigures(): Promise<Figures> {
  const redis = await startRedis();
  try {
    const q = await bullmq(redis.port, o.slots);
    try {
      return await measure(q, o);
    } finally {
      await q.close();
    }
  } finally {
    await redis.stop();
  }
}

const persistence = values.persistence ?? 'both';
if (!['sqlite', 'memory', 'both'].includes(persistence)) {
  process.stderr.write(`bench: --persistence must be sqlite, memory or both, not ${JSON.stringify(persistence)}\n`);
  process.exit(2);
}

async function nightshiftFigures(memory: boolean): Promise<Figures> {
  const env = await startEngine(memory);
  try {
    const n = await nightshift(env, o.slots);
    try {
      return await measure(n, o);
    } finally {
      await n.stop();
    }
  } finally {
    await env.teardown();
  }
}

/** Each system in turn (never two at once: they share 2 cores), its time on stderr. */
async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  process.stderr.write(`bench: ${name} done in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  return out;
}
const pool = await timed('bare pool', poolFigures);
const queue = await timed('BullMQ', bullmqFigures);
const engine = await timed('nightshift', () => nightshiftFigures(persistence === 'memory'));
const inMemory =
  persistence === 'both' ? await timed('nightshift in memory', () => nightshiftFigures(true)) : undefined;
const row = (name: string, unit: Row['unit'], k: keyof Figures, higherIsBetter = false): Row => ({
  name,
  unit,
  higherIsBetter,
  nightshift: engine[k],
  ...(inMemory ? { memory: inMemory[k] } : {}),
  bullmq: queue[k],
  pool: pool[k],
});
const ideal = Math.ceil(o.jobs / (o.slots - 1));
const persisted = {
  sqlite: 'SQLite (as `nightshift dev`)',
  memory: 'in memory',
  both: 'SQLite (as `nightshift dev`), and in memory beside it',
}[persistence];
process.stdout.write(
  [
    `${o.jobs} jobs, ${o.slots - 1} shared slots + 1 operator slot, ${o.rounds} latency rounds; ${cpus().length} cores;`,
    `Temporal dev server persistence: ${persisted}; ideal makespan of (d): ${ideal} s`,
    '',
    table([
      row(`(a) ${o.jobs} no-op jobs: throughput`, 'jobs/s', 'throughput', true),
      row('(b) idle: submit → spawn p50', 'ms', 'spawnP50'),
      row('(b) idle: submit → spawn p99', 'ms', 'spawnP99'),
      row('(b) idle: exit → result p50', 'ms', 'resultP50'),
      row('(b) idle: exit → result p99', 'ms', 'resultP99'),
      row(`(c) operator start p50, ${o.slots - 1} held + ${o.jobs} queued`, 'ms', 'operatorP50'),
      row(`(c) operator start p99, ${o.slots - 1} held + ${o.jobs} queued`, 'ms', 'operatorP99'),
      row(`(d) ${o.jobs} jobs of 1 s: makespan (ideal ${ideal} s)`, 's', 'makespan'),
    ]),
    '',
  ].join('\n'),
);
