// `nightshift stats` at 10,000 jobs, as ratios to the same CLI over an empty ledger, measured in the same run.
// Run: npm run bench:stats   (node --import tsx bench/stats.ts [--jobs N] [--rounds N])
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import type { LedgerEntry } from '../src/ledger/entry.js';
import { computeStats } from '../src/ledger/stats.js';
import { appendEntry, readLedger } from '../src/ledger/store.js';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '7' } },
});
const jobs = Number(values.jobs);
const rounds = Number(values.rounds);
const BIN = fileURLToPath(new URL('../bin/nightshift.js', import.meta.url));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** A deterministic mix of backends, kinds, lanes and outcomes over the last 30 days (the ledger's real line format). */
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

async function cliMs(dataDir: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  await execa('node', [BIN, 'stats', ...args], {
    env: { NIGHTSHIFT_DATA_DIR: dataDir, NIGHTSHIFT_LOG_LEVEL: 'warn' },
    stdin: 'ignore',
  });
  return performance.now() - t0;
}

const empty = mkdtempSync(join(tmpdir(), 'nightshift-bench-empty-'));
const full = mkdtempSync(join(tmpdir(), 'nightshift-bench-ledger-'));
const now = Date.now();
for (let i = 0; i < jobs; i++) await appendEntry(full, entry(i, now)); // the activity's own write path

const base: number[] = [];
const table: number[] = [];
const json: number[] = [];
const since: number[] = [];
const inProcess: number[] = [];
for (let r = 0; r < rounds; r++) {
  base.push(await cliMs(empty, []));
  table.push(await cliMs(full, []));
  json.push(await cliMs(full, ['--json', '--by', 'kind']));
  since.push(await cliMs(full, ['--since', '7d', '--by', 'lane']));
  const t0 = performance.now();
  const { entries } = await readLedger(full);
  computeStats(entries, 'backend');
  inProcess.push(performance.now() - t0);
}
const b = median(base);
const row = (name: string, xs: number[]) =>
  console.log(
    `${name.padEnd(46)} median ${median(xs).toFixed(0).padStart(5)} ms   ${(median(xs) / b).toFixed(2).padStart(5)}× baseline`,
  );
console.log(
  `baseline: \`nightshift stats\` over an empty ledger (CLI start-up), median ${b.toFixed(0)} ms over ${rounds} rounds`,
);
row(`nightshift stats, ${jobs} jobs (table, by backend)`, table);
row(`nightshift stats --json --by kind, ${jobs} jobs`, json);
row(`nightshift stats --since 7d --by lane, ${jobs} jobs`, since);
row(`read + aggregate in process, ${jobs} jobs`, inProcess);
