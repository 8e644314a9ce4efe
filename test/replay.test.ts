// Every committed history replays against the current workflow code (determinism guard).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { workflowsPath } from '../src/worker/worker.js';
import { nightshift } from './support/cli.js';

const DIR = new URL('./histories/', import.meta.url);

/** The patch ids a history's markers record (their payloads are base64 JSON). */
function patchesOf(history: { events?: { markerRecordedEventAttributes?: MarkerAttributes }[] } | undefined) {
  return (history?.events ?? []).flatMap((e) =>
    (e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? []).map(
      (p) => (JSON.parse(Buffer.from(p.data, 'base64').toString()) as { id: string }).id,
    ),
  );
}
type MarkerAttributes = { details?: Record<string, { payloads?: { data: string }[] }> };

test('committed histories replay without nondeterminism', async () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 2, 'histories are committed');
  const histories = files.map((f) => ({
    workflowId: f.replace(/\.json$/, ''),
    history: JSON.parse(readFileSync(new URL(f, DIR), 'utf8')),
  }));
  // The job workflow from before and after the `job-ledger` patch: both branches of patched() replay.
  const ledger = JSON.stringify(histories.find((h) => h.workflowId === 'job-claude-ledger')?.history ?? {});
  assert.ok(
    ledger.includes('markerRecordedEventAttributes') && ledger.includes('"recordJob"'),
    'a history recorded after the job-ledger patch',
  );
  assert.ok(
    !JSON.stringify(histories.find((h) => h.workflowId === 'job-claude-succeeded')?.history).includes('"recordJob"'),
    'and one from before it',
  );
  // After the `host-pinned` patch: the agent on a host queue, its host lost (a heartbeat timeout), a second prepare.
  const moved = JSON.stringify(histories.find((h) => h.workflowId === 'job-host-moved')?.history ?? {});
  assert.ok(/"name":"[^"]+@[^"]+"/.test(moved) && moved.includes('ACTIVITY_TASK_TIMED_OUT'), 'a job that moved hosts');
  // After the `job-commit` patch: the job commits its work and joins a merge queue, which lands it.
  const landed = JSON.stringify(histories.find((h) => h.workflowId === 'job-commit-land')?.history ?? {});
  assert.ok(landed.includes('"finishWorkspace"') && landed.includes('"enqueueLanding"'), 'a job that commits, lands');
  const queue = JSON.stringify(histories.find((h) => h.workflowId === 'land-queue-one')?.history ?? {});
  assert.ok(queue.includes('"prepareLanding"') && queue.includes('"advanceTarget"'), 'a merge queue that landed it');
  // After the `budget-spend` patch: a job releases with its spend; a singleton books it and holds the next job.
  assert.ok(patchesOf(histories.find((h) => h.workflowId === 'job-budget')?.history).includes('budget-spend'));
  // After `lean-job` and `grant-by-activity`: one marker stands for the older patches; local activities, no signal events.
  assert.deepEqual(patchesOf(histories.find((h) => h.workflowId === 'job-lean')?.history), ['lean-job']);
  const lean = patchesOf(histories.find((h) => h.workflowId === 'capacity-lean')?.history);
  assert.ok(lean.includes('grant-by-activity') && lean.includes('capacity-one-timer'), lean.join());
  const failures: string[] = [];
  let replayed = 0;
  for await (const r of Worker.runReplayHistories(
    { workflowsPath: workflowsPath(), replayName: 'nightshift-replay' },
    histories,
  )) {
    replayed++;
    if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
  }
  assert.equal(replayed, files.length);
  assert.deepEqual(failures, []);
});

test('`nightshift replay` passes a committed history, and explains a deliberately non-deterministic change', async () => {
  const history = fileURLToPath(new URL('job-claude-succeeded.json', DIR));
  const ok = await nightshift(['replay', history]);
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.match(ok.stdout, /replays cleanly/);
  const broken = fileURLToPath(new URL('./fixtures/nondeterministic-workflows.ts', import.meta.url));
  const bad = await nightshift(['replay', history, '--workflows', broken, '--json']);
  assert.equal(bad.exitCode, 1, bad.stderr);
  const report = JSON.parse(bad.stdout) as { ok: boolean; explanation: string };
  assert.equal(report.ok, false);
  assert.match(report.explanation, /does not match the recorded history/);
  assert.match(report.explanation, /requestLease/, 'names what the history has');
  assert.match(report.explanation, /patched\(\)/);
  const missing = await nightshift(['replay', '/nonexistent/history.json']);
  assert.equal(missing.exitCode, 2);
});
