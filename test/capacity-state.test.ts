// The lease bookkeeping as pure functions: lanes, FIFO, reserved slots, idempotency, window.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../src/config/load.js';
import { capacitySettings } from '../src/config/capacity-settings.js';
import type { Lane } from '../src/protocol/job.js';
import { takeGrants, nextSlideAt } from '../src/workflows/capacity/grants.js';
import { enqueue, initialState, release, windowTokens } from '../src/workflows/capacity/state.js';
import { viewOf } from '../src/workflows/capacity/view.js';
import { idleCapacityView } from '../src/protocol/capacity.js';

const settings = (capacity: Record<string, unknown> = {}) => capacitySettings(parseConfig({ capacity }));
const req = (jobId: string, lane: Lane, estimate = 1000, requestedAt = 0) => ({
  jobId,
  lane,
  kind: 'llm',
  estimate,
  requestedAt,
});

test('the seed defaults: 20 slots, 1 reserved, 2M tokens per 300 s, backpressure at 20 / 80 %', () => {
  const s = settings();
  assert.deepEqual(
    [
      s.maxSlots,
      s.reservedOperatorSlots,
      s.tokenBudget,
      s.windowSeconds,
      s.backpressureQueueDepth,
      s.backpressureTokenRatio,
    ],
    [20, 1, 2_000_000, 300, 20, 0.8],
  );
  assert.deepEqual(parseConfig({}).estimates, {
    llm: 50_000,
    'coding-agent': 200_000,
    codex: 200_000,
    'writing-review': 100_000,
  });
});

test("operator > interactive > background; FIFO within a lane; the reserved slot is the operator's", () => {
  const st = initialState(settings({ maxSlots: 3, reservedOperatorSlots: 1 }));
  enqueue(st, req('b1', 'background'));
  enqueue(st, req('b2', 'background'));
  enqueue(st, req('i1', 'interactive'));
  enqueue(st, req('b3', 'background'));
  assert.deepEqual(
    takeGrants(st, 0).map((r) => r.jobId),
    ['i1', 'b1'],
  );
  enqueue(st, req('i2', 'interactive'));
  assert.deepEqual(takeGrants(st, 0), [], 'the last slot is reserved');
  enqueue(st, req('o1', 'operator'));
  assert.deepEqual(
    takeGrants(st, 0).map((r) => r.jobId),
    ['o1'],
  );
  release(st, 'b1', 10, 1);
  assert.deepEqual(
    takeGrants(st, 1).map((r) => r.jobId),
    ['i2'],
    'interactive overtakes waiting background',
  );
  release(st, 'i1', 10, 2);
  assert.deepEqual(
    takeGrants(st, 2).map((r) => r.jobId),
    ['b2'],
    'then background in FIFO order',
  );
});

test('duplicate requests and releases change nothing', () => {
  const st = initialState(settings());
  assert.equal(enqueue(st, req('a', 'background')), true);
  assert.equal(enqueue(st, req('a', 'background')), false);
  takeGrants(st, 0);
  assert.equal(enqueue(st, req('a', 'background')), false, 'already holding');
  assert.equal(release(st, 'a', 500, 10), true);
  assert.equal(release(st, 'a', 500, 11), false);
  assert.equal(enqueue(st, req('a', 'background')), false, 'a late duplicate after release is ignored');
  assert.equal(st.counters.released, 1);
  assert.equal(windowTokens(st, 12), 500);
});

test('the window holds reservations of running jobs and actual tokens of finished ones, and slides', () => {
  const st = initialState(settings({ tokenBudget: 1000, windowSeconds: 10 }));
  enqueue(st, req('a', 'interactive', 600));
  takeGrants(st, 0);
  assert.equal(windowTokens(st, 0), 600);
  enqueue(st, req('b', 'interactive', 600));
  assert.deepEqual(takeGrants(st, 0), [], 'over budget');
  release(st, 'a', 900, 1000);
  assert.equal(windowTokens(st, 1000), 900);
  assert.equal(nextSlideAt(st), 11_001);
  assert.deepEqual(takeGrants(st, 10_999), []);
  assert.deepEqual(
    takeGrants(st, 11_001).map((r) => r.jobId),
    ['b'],
  );
});

test('a burst in one activation: admission is re-run after grants, so backpressure shows while the queue is deep', () => {
  const st = initialState(settings({ maxSlots: 3, reservedOperatorSlots: 1, backpressureQueueDepth: 3 }));
  for (let i = 1; i <= 7; i++) enqueue(st, req(`b${i}`, 'background'));
  assert.deepEqual(
    takeGrants(st, 0).map((r) => r.jobId),
    ['b1', 'b2'],
  );
  let v = viewOf(st, 0);
  assert.deepEqual([v.backpressure.on, v.lanes.background.queued, v.lanes.background.deferred], [true, 3, 2]);
  release(st, 'b1', 0, 1);
  assert.deepEqual(
    takeGrants(st, 1).map((r) => r.jobId),
    ['b3'],
  );
  v = viewOf(st, 1);
  assert.deepEqual([v.backpressure.on, v.lanes.background.queued, v.lanes.background.deferred], [true, 3, 1]);
});

test('background waits outside the queue while backpressure is on; the operator never waits for tokens', () => {
  const st = initialState(
    settings({ maxSlots: 5, reservedOperatorSlots: 1, tokenBudget: 1000, backpressureQueueDepth: 2 }),
  );
  for (const id of ['h1', 'h2', 'h3', 'h4']) enqueue(st, req(id, 'interactive', 10));
  takeGrants(st, 0);
  for (const id of ['b1', 'b2', 'b3']) enqueue(st, req(id, 'background', 10));
  takeGrants(st, 0);
  let v = viewOf(st, 0);
  assert.equal(v.backpressure.on, true);
  assert.deepEqual([v.lanes.background.queued, v.lanes.background.deferred], [2, 1]);
  release(st, 'h1', 950, 1);
  takeGrants(st, 1);
  v = viewOf(st, 1);
  assert.match(v.backpressure.reasons.join(';'), /tokens/);
  assert.equal(v.lanes.background.running, 0, 'token pressure holds background grants');
  enqueue(st, req('o1', 'operator', 5000));
  assert.deepEqual(
    takeGrants(st, 1).map((r) => r.jobId),
    ['o1'],
  );
});

test('the client’s idle view (no singleton yet) is the singleton’s own view of its initial state', () => {
  for (const capacity of [{}, { maxSlots: 5, reservedOperatorSlots: 2, tokenBudget: 1000 }]) {
    const s = settings(capacity);
    assert.deepEqual(idleCapacityView(s), viewOf(initialState(s), Date.now()));
  }
});

test('brains (submit --mcp) hold at most brainSlots; a waiting brain keeps its place and blocks no child', () => {
  const s = { ...settings({ maxSlots: 4, reservedOperatorSlots: 1 }) };
  const state = initialState(s);
  for (const id of ['b1', 'b2', 'b3']) enqueue(state, { ...req(id, 'background'), brain: true });
  enqueue(state, req('child', 'background'));
  const first = takeGrants(state, 1).map((g) => g.jobId);
  assert.deepEqual(first, ['b1', 'b2', 'child'], 'default: every shared slot (3) but one for brains');
  assert.deepEqual(
    viewOf(state, 1).queue.map((q) => [q.jobId, q.heldBy]),
    [['b3', 'brain-slots']],
  );
  release(state, 'b1', 0, 2);
  assert.deepEqual(
    takeGrants(state, 2).map((g) => g.jobId),
    ['b3'],
  );
  const one = initialState({ ...s, brainSlots: 1 });
  enqueue(one, { ...req('b1', 'background'), brain: true });
  enqueue(one, { ...req('b2', 'background'), brain: true });
  assert.deepEqual(
    takeGrants(one, 1).map((g) => g.jobId),
    ['b1'],
  );
  assert.equal(capacitySettings(parseConfig({ mcp: { brainSlots: 2 } })).brainSlots, 2);
  assert.equal('brainSlots' in settings(), false, 'absent unless configured: the input stays as it was');
});
