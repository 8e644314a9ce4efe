// `nightshift stats` at 10,000 jobs, as ratios to the same CLI over an empty ledger, measured in the same run.
// Run: npm run bench:stats   (node --import tsx bench/stats.ts [--jobs N] [--rounds N] [--url postgres://…])
// The ledgers are in-memory embedded ones (PGlite over pglite-socket), or --url: a PostgreSQL whose ledger_jobs
// the bench empties and fills (use a throwaway database).
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { startLedgerServer } from '../src/dev/ledger-server.js';
import { openLedger, type Ledger } from '../src/ledger/db.js';
import type { LedgerEntry } from '../src/ledger/entry.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '7' },
    url: { type: 'string' },
  },
});
const jobs = Number(values.jobs);
const rounds = Number(values.rounds);
const BIN = fileURLToPath(new URL('../bin/nightshift.js', import.meta.url));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** A deterministic mix of backends, kinds, lanes, hosts and outcomes over the last 30 days. */
function entry(i: number, now: number): LedgerEntry {
  const pick = <T>(xs: readonly T[], k: number): T => xs[k % xs.length]!;
  const status = pick(['succeeded', 'succeeded', 'succeeded', 'failed', 'no_op', 'cancelled'] as const, i * 7);
  const finishedAt = now - ((i * 2_654_435_761) % (30 * 86_400_000));
  const durationMs = 20_000 + ((i * 40_503) % 900_000);
  return {
    jobId: `job-${i.toString(16).padStart(8, '0')}`,
    status,
    backend: pick(['claude', 'codex', 'opencode', 'gemini', 'aider', 'llm'], i),
    kind: pick(['coding-agent', 'codex', 'llm', 'writing-review'], i * 3),
    lane: pick(['background', 'background', 'interactive', 'operator'] as const, i * 5),
    host: pick(['host-a', 'host-b', 'host-c'], i * 11),
    queuedAt: finishedAt - durationMs,
    finishedAt,
    durationMs,
    leaseWaitMs: i % 1000,
    tokensIn: 1000 + (i % 50_000),
    tokensOut: 100 + (i % 5000),
    cacheRead: i % 20_000,
    cacheWrite: 0,
    costUsd: (i % 300) / 100,
    attempts: 1 + (i % 3),
    revised: i % 9 === 0,
    reviewed: i % 3 === 0,
    ...(status === 'failed' ? { failureClass: 'CheckFailed' } : {}),
  };
}

async function cliMs(url: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  await execa('node', [BIN, 'stats', ...args], {
    env: { NIGHTSHIFT_LEDGER_URL: url, NIGHTSHIFT_LOG_LEVEL: 'warn' },
    stdin: 'ignore',
  });
  return performance.now() - t0;
}

// The baseline is always an empty embedded ledger (CLI start-up + connect + a query of nothing); the full one is
// another embedded ledger, or --url's PostgreSQL (its ledger_jobs emptied, then filled).
const emptyServer = await startLedgerServer({ port: 0 });
const fullServer = values.url ? undefined : await startLedgerServer({ port: 0 });
const fullUrl = values.url ?? fullServer?.url ?? '';
const ledger: Ledger = await openLedger(fullUrl);
await ledger.db.query('TRUNCATE ledger_jobs');

const now = Date.now();
const entries = Array.from({ length: jobs }, (_, i) => entry(i, now));
let t0 = performance.now();
for (const e of entries.slice(0, 1000)) await ledger.record(e); // the activity's write: one upsert per job
const recordMs = (performance.now() - t0) / Math.min(1000, jobs);
t0 = performance.now();
await ledger.recordMany(entries);
const importMs = performance.now() - t0;

await cliMs(emptyServer.url, []); // warm-up: file cache, the template
const base: number[] = [];
const table: number[] = [];
const json: number[] = [];
const since: number[] = [];
const query: number[] = [];
for (let r = 0; r < rounds; r++) {
  base.push(await cliMs(emptyServer.url, []));
  table.push(await cliMs(fullUrl, []));
  json.push(await cliMs(fullUrl, ['--json', '--by', 'kind']));
  since.push(await cliMs(fullUrl, ['--since', '7d', '--by', 'host']));
  const t = performance.now();
  await ledger.stats('backend');
  query.push(performance.now() - t);
}
await ledger.close();
await Promise.all([emptyServer.stop(), fullServer?.stop()]);

const b = median(base);
const row = (name: string, xs: number[]) =>
  console.log(
    `${name.padEnd(46)} median ${median(xs).toFixed(0).padStart(5)} ms   ${(median(xs) / b).toFixed(2).padStart(5)}× baseline`,
  );
console.log(`ledger: ${values.url ? ledger.url : 'embedded (PGlite over pglite-socket), in memory'}`);
console.log(
  `baseline: \`nightshift stats\` over an empty ledger (CLI start-up + connect), median ${b.toFixed(0)} ms over ${rounds} rounds`,
);
row(`nightshift stats, ${jobs} jobs (table, by backend)`, table);
row(`nightshift stats --json --by kind, ${jobs} jobs`, json);
row(`nightshift stats --since 7d --by host, ${jobs} jobs`, since);
row(`the stats query alone, ${jobs} jobs`, query);
console.log(`record (one upsert per job, as the activity): ${recordMs.toFixed(1)} ms per job`);
console.log(`recordMany (the JSON-lines import's path): ${jobs} jobs in ${importMs.toFixed(0)} ms`);
