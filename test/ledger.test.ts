// One ledger contract, run on both servers every process may meet: the embedded PGlite (over pglite-socket) and a
// real PostgreSQL (Debian's package, a throwaway cluster; missing PostgreSQL fails this file, it does not skip).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { parseConfig } from '../src/config/load.js';
import { startLedgerServer } from '../src/dev/ledger-server.js';
import { LedgerUnreachableError, openLedger, type Ledger } from '../src/ledger/db.js';
import type { LedgerEntry } from '../src/ledger/entry.js';
import { LEDGER_SCHEMA_VERSION } from '../src/ledger/schema.js';
import { importJsonLines, importSkipped, jsonLinesPath } from '../src/ledger/import.js';
import { GROUP_BY, percentile, type GroupBy, type StatsRow } from '../src/ledger/stats.js';
import { ledgerUrl } from '../src/ledger/url.js';
import { startPostgres } from './support/postgres.js';

const DAY = 86_400_000;
const NOW = Date.now();
const STATUSES = ['succeeded', 'succeeded', 'failed', 'no_op', 'succeeded', 'cancelled', 'succeeded'] as const;

/** Job i: a deterministic spread of groups, outcomes, durations and finish times over the last 10 days. */
function entry(i: number): LedgerEntry {
  const finishedAt = NOW - ((i * 7919) % (10 * DAY));
  const durationMs = 1000 + ((i * 104_729) % 600_000);
  return {
    jobId: `job-${i}`,
    status: STATUSES[i % STATUSES.length]!,
    backend: ['claude', 'codex', 'llm'][i % 3]!,
    kind: ['coding-agent', 'llm'][i % 2]!,
    lane: i % 5 === 0 ? 'operator' : i % 2 ? 'interactive' : 'background',
    host: ['host-a', 'host-b', 'host-c', 'unknown'][i % 4]!,
    queuedAt: finishedAt - durationMs,
    finishedAt,
    durationMs,
    leaseWaitMs: i % 100,
    tokensIn: 1000 + i,
    tokensOut: 100 + (i % 13),
    cacheRead: i,
    cacheWrite: 0,
    ...(i % 6 === 0 ? {} : { costUsd: (i % 17) / 100 }),
    attempts: 1 + (i % 3),
    revised: i % 4 === 1,
    reviewed: i % 3 === 0,
  };
}

/** The figures by hand (the old in-memory computation): what the SQL must come to. */
function expectedRow(group: string, es: LedgerEntry[]): StatsRow {
  const n = (s: LedgerEntry['status']) => es.filter((e) => e.status === s).length;
  const revised = es.filter((e) => e.status === 'succeeded' && e.revised).length;
  const durations = es.map((e) => e.durationMs).sort((a, b) => a - b);
  return {
    group,
    jobs: es.length,
    succeeded: n('succeeded'),
    failed: n('failed'),
    noOp: n('no_op'),
    cancelled: n('cancelled'),
    successRate: es.length - n('cancelled') > 0 ? n('succeeded') / (es.length - n('cancelled')) : null,
    revised,
    revisedRate: n('succeeded') > 0 ? revised / n('succeeded') : null,
    p50DurationMs: percentile(durations, 50),
    p95DurationMs: percentile(durations, 95),
    tokensIn: es.reduce((a, e) => a + e.tokensIn, 0),
    tokensOut: es.reduce((a, e) => a + e.tokensOut, 0),
    costUsd: es.reduce((a, e) => a + (e.costUsd ?? 0), 0),
  };
}

function assertRow(actual: StatsRow | undefined, want: StatsRow): void {
  assert.ok(actual, `no row for ${want.group}`);
  const { costUsd, ...rest } = actual;
  const { costUsd: wantCost, ...wantRest } = want;
  assert.deepEqual(rest, wantRest);
  assert.ok(Math.abs(costUsd - wantCost) < 1e-9, `${want.group}: cost ${costUsd} ≠ ${wantCost}`);
}

async function assertStats(ledger: Ledger, entries: LedgerEntry[], by: GroupBy, since?: number): Promise<void> {
  const chosen = since === undefined ? entries : entries.filter((e) => e.finishedAt >= since);
  const { rows, total } = await ledger.stats(by, since);
  assertRow(total, expectedRow('total', chosen));
  const groups = [...new Set(chosen.map((e) => e[by]))];
  assert.deepEqual(rows.map((r) => r.group).sort(), groups.sort(), `${by} groups`);
  for (const g of groups)
    assertRow(
      rows.find((r) => r.group === g),
      expectedRow(
        g,
        chosen.filter((e) => e[by] === g),
      ),
    );
  assert.deepEqual(
    rows.map((r) => r.jobs),
    rows.map((r) => r.jobs).sort((a, b) => b - a),
    'rows by job count',
  );
}

interface Server {
  url: string;
  /** Set when the server checks passwords (PostgreSQL; PGlite takes any). */
  password?: string;
  stop(): Promise<void>;
}
const EMBEDDED = 'the embedded ledger (PGlite over pglite-socket)';
/** On a directory, as `nightshift dev` runs it (the test harness's shared one is in memory). */
const scratch = mkdtempSync(join(tmpdir(), 'nightshift-test-ledger-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const embeddedDir = join(scratch, 'pglite');
const SERVERS: [string, () => Promise<Server>][] = [
  [EMBEDDED, () => startLedgerServer({ dir: embeddedDir, port: 0 })],
  ['PostgreSQL', startPostgres],
];

/** The error a URL gets from openLedger: LedgerUnreachableError, its message naming the URL but not its password. */
async function assertUnreachable(url: string, secrets: string[]): Promise<void> {
  const err = await openLedger(url).then(
    () => assert.fail('it opened'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof LedgerUnreachableError, String(err));
  assert.match(err.message, /cannot reach the job ledger at postgres:\/\/\w+:\*\*\*\*@127\.0\.0\.1:\d+\//);
  assert.match(err.message, /nightshift dev.*NIGHTSHIFT_LEDGER_URL/);
  for (const secret of secrets) assert.ok(!err.message.includes(secret), err.message);
}

test('a ledger nobody serves: LedgerUnreachableError naming it, the password masked', async () => {
  await assertUnreachable('postgres://someone:hunter2-secret@127.0.0.1:9/ledger', ['hunter2-secret']);
});

// Both servers boot at once (seconds each: PGlite's WASM, initdb); a failed boot fails its own suite.
const booting = new Map<string, Promise<Server>>();
before(() => {
  for (const [name, start] of SERVERS) {
    const boot = start();
    boot.catch(() => undefined); // awaited (and reported) by its suite
    booting.set(name, boot);
  }
});

for (const [name] of SERVERS) {
  describe(`the ledger on ${name}`, () => {
    let server: Server;
    let ledger: Ledger;
    before(async () => {
      server = await booting.get(name)!;
      ledger = await openLedger(server.url);
    });
    after(async () => {
      await ledger?.close();
      await server?.stop();
    });
    beforeEach(() => ledger.db.query('TRUNCATE ledger_jobs, ledger_hosts, ledger_meta'));

    test('record is an upsert on job id: a job written again is one row, its latest figures', async () => {
      await ledger.record(entry(1));
      await ledger.record({ ...entry(1), status: 'failed', tokensIn: 5 });
      await ledger.record(entry(4)); // succeeded
      const { total } = await ledger.stats('backend');
      assert.deepEqual([total.jobs, total.failed, total.tokensIn], [2, 1, 5 + entry(4).tokensIn]);
    });

    test('stats by each group, p50/p95 (nearest rank) and --since equal the hand-computed figures', async () => {
      const entries = Array.from({ length: 301 }, (_, i) => entry(i));
      await ledger.recordMany(entries);
      for (const by of GROUP_BY) await assertStats(ledger, entries, by);
      await assertStats(ledger, entries, 'host', NOW - 3 * DAY);
      await assertStats(ledger, entries, 'lane', NOW - 0.5 * DAY);
      const before = await ledger.stats('kind');
      await ledger.recordMany(entries.slice(0, 20)); // rewritten rows move in the table: the same figures
      assert.deepEqual(await ledger.stats('kind'), before);
      const none = await ledger.stats('kind', NOW + DAY);
      assert.deepEqual(
        [none.rows, none.total.jobs, none.total.p50DurationMs, none.total.successRate],
        [[], 0, null, null],
      );
    });

    test('concurrent writers on separate connections, one of them a big import: every job counted once', async () => {
      const pools = await Promise.all([1, 2, 3].map(() => openLedger(server.url)));
      const big = Array.from({ length: 1200 }, (_, i) => entry(1000 + i)); // statements of far more than 64 KiB
      try {
        await Promise.all([
          ledger.recordMany(big),
          ...pools.flatMap((p, k) => Array.from({ length: 30 }, (_, i) => p.record(entry((k * 30 + i) % 80)))),
        ]);
      } finally {
        await Promise.all(pools.map((p) => p.close()));
      }
      assert.equal((await ledger.stats('host')).total.jobs, 80 + big.length);
    });

    test('the JSON-lines ledger is imported once: a torn line skipped and counted, a repeat harmless', async () => {
      const dataDir = mkdtempSync(join(scratch, 'import-'));
      mkdirSync(join(dataDir, 'ledger'));
      const { host: _old, ...hostless } = entry(5); // a line from before hosts were recorded
      const lines = [entry(1), entry(2), { ...entry(1), tokensIn: 7 }, hostless].map((e) => JSON.stringify(e));
      writeFileSync(jsonLinesPath(dataDir), lines.join('\n') + '\n{"jobId":"job-9","stat');
      assert.deepEqual(await importJsonLines(ledger, dataDir), {
        file: realpathSync(jsonLinesPath(dataDir)),
        imported: 3,
        skipped: 1,
        already: false,
      });
      const again = await importJsonLines(ledger, dataDir);
      assert.deepEqual([again.imported, again.already], [0, true]);
      const { rows, total } = await ledger.stats('host');
      assert.deepEqual([total.jobs, total.tokensIn], [3, 7 + entry(2).tokensIn + entry(5).tokensIn]);
      assert.deepEqual(rows.map((r) => `${r.group} ${r.jobs}`).sort(), ['host-b 1', 'host-c 1', 'unknown 1']);
      assert.equal(await importSkipped(ledger), 1);
      await ledger.db.query('TRUNCATE ledger_meta'); // the meta row lost: the upsert keeps one row per job anyway
      await importJsonLines(ledger, dataDir);
      assert.equal((await ledger.stats('kind')).total.jobs, 3);
    });

    test('hosts: a heartbeat inserts or replaces the host row; the list is by host id', async () => {
      const host = { version: '0.1.0', maxAgents: 4, runningAgents: 1, waitingAgents: 0, startedAt: NOW - 60_000 };
      await ledger.upsertHost({ ...host, hostId: 'worker-b', seenAt: NOW - 1000 });
      await ledger.upsertHost({ ...host, hostId: 'worker-a', seenAt: NOW - 2000 });
      await ledger.upsertHost({ ...host, hostId: 'worker-b', runningAgents: 3, waitingAgents: 2, seenAt: NOW });
      assert.deepEqual(await ledger.listHosts(), [
        { ...host, hostId: 'worker-a', seenAt: NOW - 2000 },
        { ...host, hostId: 'worker-b', runningAgents: 3, waitingAgents: 2, seenAt: NOW },
      ]);
    });

    if (name === 'PostgreSQL')
      test('a wrong password is refused: LedgerUnreachableError, neither password in it', async () => {
        const { password = '' } = server;
        const wrong = 'not-the-password-42';
        assert.ok(password && server.url.includes(password));
        await assertUnreachable(server.url.replace(password, wrong), [wrong, password]);
      });

    if (name === EMBEDDED)
      test('the embedded ledger: its URL is ledgerUrl(config); its port taken is a clear error; a restart keeps the rows', async () => {
        const { port } = new URL(server.url);
        assert.equal(ledgerUrl(parseConfig({ ledger: { devPort: Number(port) } })), server.url);
        await assert.rejects(startLedgerServer({ dir: embeddedDir, port: Number(port) }), /port \d+ .* is in use/);
        await ledger.record(entry(7));
        await ledger.close();
        await server.stop();
        server = await startLedgerServer({ dir: embeddedDir, port: 0 });
        ledger = await openLedger(server.url);
        assert.equal((await ledger.stats('kind')).total.jobs, 1);
      });

    test("a job's commit and diff stat, and its landing (replaced on each report)", async () => {
      const e = {
        ...entry(3),
        commitSha: 'a'.repeat(40),
        branch: 'nightshift/job-3',
        diffFiles: 2,
        diffInsertions: 5,
        diffDeletions: 1,
      };
      await ledger.record(e);
      const { rows } = await ledger.db.query<{ commit_sha: string; diff_insertions: number }>(
        `SELECT commit_sha, diff_insertions FROM ledger_jobs WHERE job_id = '${e.jobId}'`,
      );
      assert.deepEqual(rows[0], { commit_sha: e.commitSha, diff_insertions: 5 });
      await ledger.recordLanding({ jobId: e.jobId, status: 'conflict', target: 'main', detail: 'conflicts: a.txt' });
      await ledger.recordLanding({ jobId: e.jobId, status: 'landed', target: 'main', commit: 'b'.repeat(40) });
      const landing = await ledger.landingOf(e.jobId);
      assert.deepEqual(
        { ...landing, updatedAt: 0 },
        { jobId: e.jobId, status: 'landed', target: 'main', commit: 'b'.repeat(40), updatedAt: 0 },
      );
      assert.equal(await ledger.landingOf('job-none'), undefined);
    });

    test('opening the same database again runs no migration twice and keeps the rows', async () => {
      await ledger.record(entry(5));
      const second = await openLedger(server.url);
      try {
        assert.equal((await second.stats('lane')).total.jobs, 1);
        const { rows } = await second.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_migrations');
        assert.equal(rows[0]?.n, LEDGER_SCHEMA_VERSION, 'one row per migration, none run twice');
      } finally {
        await second.close();
      }
    });
  });
}
