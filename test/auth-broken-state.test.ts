// Auth-broken marks as pure capacity bookkeeping: who waits, who is granted, what the view shows, what clears them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capacitySettings } from '../src/config/capacity-settings.js';
import { parseConfig } from '../src/config/load.js';
import type { Lane } from '../src/protocol/job.js';
import { authBrokenBackends, clearBackend, noteAuthBroken } from '../src/workflows/capacity/auth-broken.js';
import { takeGrants } from '../src/workflows/capacity/grants.js';
import { backpressure, enqueue, initialState, noteLimit, type CapacityState } from '../src/workflows/capacity/state.js';
import { viewOf } from '../src/workflows/capacity/view.js';

const settings = (capacity: Record<string, unknown> = {}) => capacitySettings(parseConfig({ capacity }));
const req = (jobId: string, backends: string[] | undefined, lane: Lane = 'interactive') => ({
  jobId,
  lane,
  kind: 'llm',
  estimate: 1000,
  requestedAt: 0,
  ...(backends ? { backends } : {}),
});
const ids = (st: CapacityState, now = 0) => takeGrants(st, now).map((r) => r.jobId);

test('a job whose every backend is auth-broken waits in place, blocks nobody, and is granted once one is cleared', () => {
  const st = initialState(settings({ maxSlots: 10, reservedOperatorSlots: 1 }));
  noteAuthBroken(st, 'claude', 'invalid x-api-key', 100);
  enqueue(st, req('only-claude', ['claude']));
  enqueue(st, req('claude-then-codex', ['claude', 'codex']));
  enqueue(st, req('codex', ['codex']));
  assert.deepEqual(ids(st), ['claude-then-codex', 'codex'], 'the waiting head of the lane does not block the rest');
  assert.deepEqual(
    st.queue.map((q) => q.jobId),
    ['only-claude'],
    'it keeps its place in the queue',
  );
  assert.deepEqual(ids(st), [], 'still broken: still waiting');
  enqueue(st, req('later', ['codex']));
  assert.deepEqual(ids(st), ['later']);
  assert.equal(clearBackend(st, 'claude'), true);
  assert.deepEqual(ids(st), ['only-claude']);
});

test('requests without their backends (histories from before the marks) are never held back', () => {
  const st = initialState(settings());
  noteAuthBroken(st, 'claude', 'expired', 1);
  enqueue(st, req('old', undefined));
  enqueue(st, req('empty', []));
  assert.deepEqual(ids(st), ['old', 'empty']);
});

test('an operator-lane job waits too; a free slot goes to the next job meanwhile', () => {
  const st = initialState(settings({ maxSlots: 2, reservedOperatorSlots: 1 }));
  noteAuthBroken(st, 'gemini', '401', 1);
  enqueue(st, req('op', ['gemini'], 'operator'));
  enqueue(st, req('bg', ['claude'], 'background'));
  assert.deepEqual(ids(st), ['bg']);
  clearBackend(st, 'gemini');
  assert.deepEqual(ids(st), ['op'], 'the reserved slot is still there for it');
});

test('the mark keeps its first time and the latest message; the view shows it and the jobs that wait for it', () => {
  const st = initialState(settings());
  noteAuthBroken(st, 'claude', 'invalid x-api-key', 100);
  noteAuthBroken(st, 'claude', 'OAuth token expired', 250);
  noteAuthBroken(st, 'codex', '401 Unauthorized', 300);
  enqueue(st, req('j1', ['claude', 'codex']));
  enqueue(st, req('j2', ['claude', 'gemini']));
  const view = viewOf(st, 400);
  assert.deepEqual(view.authBroken, {
    claude: { since: 100, message: 'OAuth token expired' },
    codex: { since: 300, message: '401 Unauthorized' },
  });
  assert.deepEqual(
    view.queue.map((q) => [q.jobId, q.waitingForAuth ?? false]),
    [
      ['j1', true],
      ['j2', false],
    ],
  );
  assert.deepEqual(authBrokenBackends(st), ['claude', 'codex'], 'what a grant carries');
  view.authBroken['claude']!.message = 'changed';
  assert.equal(st.authBroken?.['claude']?.message, 'OAuth token expired', 'the view is a copy');
});

test('clearing removes the rate-limit mark too, and says whether there was anything to clear', () => {
  const st = initialState(settings());
  noteLimit(st, 'claude', 10_000);
  assert.equal(clearBackend(st, 'claude'), true, 'a limit alone is a mark');
  assert.deepEqual(viewOf(st, 0).limitedBackends, {});
  noteLimit(st, 'codex', 10_000);
  noteAuthBroken(st, 'codex', 'expired', 5);
  assert.equal(clearBackend(st, 'codex'), true);
  assert.deepEqual([viewOf(st, 0).limitedBackends, viewOf(st, 0).authBroken], [{}, {}]);
  assert.equal(clearBackend(st, 'codex'), false, 'nothing left: no new grant pass needed');
  assert.equal(clearBackend(st, 'never-marked'), false);
});

test('jobs parked for auth are no load: they do not turn backpressure on', () => {
  const st = initialState(settings({ maxSlots: 2, reservedOperatorSlots: 1, backpressureQueueDepth: 2 }));
  noteAuthBroken(st, 'claude', 'expired', 1);
  for (const id of ['a', 'b', 'c']) enqueue(st, req(id, ['claude']));
  assert.equal(backpressure(st, 0).on, false);
  clearBackend(st, 'claude');
  assert.deepEqual(ids(st), ['a']);
  assert.equal(backpressure(st, 0).on, true, 'once they can run, they count again');
});

test('a state from before the marks (no authBroken field) still grants, marks and shows; it survives a JSON round trip', () => {
  const st = initialState(settings());
  delete st.authBroken; // as an older run's state, carried by continue-as-new
  enqueue(st, req('j1', ['claude']));
  assert.deepEqual(viewOf(st, 0).authBroken, {});
  assert.equal(clearBackend(st, 'claude'), false);
  noteAuthBroken(st, 'claude', 'expired', 7);
  const carried = JSON.parse(JSON.stringify(st)) as CapacityState;
  assert.deepEqual(ids(carried), [], 'the mark and the waiting request travel with the state');
  clearBackend(carried, 'claude');
  assert.deepEqual(ids(carried), ['j1']);
});
