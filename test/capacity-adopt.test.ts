// Adopting the leases of running jobs after a fresh start, as a pure function: holders, queued requests, races.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../src/config/load.js';
import { capacitySettings } from '../src/config/capacity-settings.js';
import { takeGrants } from '../src/workflows/capacity/grants.js';
import { adopt, enqueue, initialState, release } from '../src/workflows/capacity/state.js';

const fresh = () =>
  initialState(capacitySettings(parseConfig({ capacity: { maxSlots: 3, reservedOperatorSlots: 1 } })));
const lease = (jobId: string, grantedAt?: number) => ({
  jobId,
  lane: 'background' as const,
  kind: 'llm',
  estimate: 1000,
  requestedAt: 10,
  ...(grantedAt !== undefined ? { grantedAt } : {}),
});

test('a granted lease becomes a holder with its grant time and estimate; the slots it fills are not granted again', () => {
  const s = fresh();
  assert.equal(adopt(s, lease('a', 100)), true);
  assert.equal(adopt(s, lease('b', 200)), true);
  assert.equal(adopt(s, lease('a', 100)), false, 'idempotent');
  assert.deepEqual(
    s.holders.map((h) => [h.jobId, h.grantedAt, h.reserved]),
    [
      ['a', 100, 1000],
      ['b', 200, 1000],
    ],
  );
  enqueue(s, { ...lease('late'), requestedAt: 300 });
  assert.deepEqual(takeGrants(s, 400), [], 'two shared slots, both adopted');
});

test('an awaited lease is queued; a stale request of a job that holds is dropped; a released job is not adopted', () => {
  const s = fresh();
  assert.equal(adopt(s, lease('waiting')), true);
  assert.deepEqual(
    s.queue.map((q) => q.jobId),
    ['waiting'],
  );
  enqueue(s, lease('holder'));
  assert.equal(adopt(s, lease('holder', 50)), true);
  assert.deepEqual(
    s.queue.map((q) => q.jobId),
    ['waiting'],
  );
  assert.deepEqual(
    s.holders.map((h) => h.jobId),
    ['holder'],
  );
  release(s, 'gone', 5, 60); // its release reached the new run before the recovery listed it
  assert.equal(adopt(s, lease('gone', 40)), false);
  assert.equal(
    s.holders.some((h) => h.jobId === 'gone'),
    false,
  );
});
