// Budgets as pure functions: rolling windows of spend, price fallback, which requests a spent budget holds, wake time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../src/config/load.js';
import { capacitySettings } from '../src/config/capacity-settings.js';
import { idleCapacityView } from '../src/protocol/capacity.js';
import type { Lane } from '../src/protocol/job.js';
import {
  bookSpend,
  budgetEpisodes,
  budgetViews,
  nextBudgetWakeAt,
  spendUsd,
} from '../src/workflows/capacity/budget.js';
import { takeGrants } from '../src/workflows/capacity/grants.js';
import { enqueue, initialState, type CapacityState } from '../src/workflows/capacity/state.js';
import { viewOf } from '../src/workflows/capacity/view.js';

const stateWith = (budgets: Record<string, unknown>, capacity: Record<string, unknown> = {}): CapacityState =>
  initialState(capacitySettings(parseConfig({ budgets, capacity })));
const req = (jobId: string, lane: Lane, backends?: string[]) => ({
  jobId,
  lane,
  kind: 'llm',
  estimate: 0,
  requestedAt: 0,
  ...(backends ? { backends } : {}),
});
const granted = (st: CapacityState, now: number) => takeGrants(st, now).map((r) => r.jobId);

test('no limits: the settings carry no budgets (the singleton input is unchanged) and nothing is booked', () => {
  const plain = capacitySettings(parseConfig({}));
  assert.equal('budgets' in plain, false);
  assert.deepEqual(plain, capacitySettings(parseConfig({ budgets: { prices: { llm: 3 } } })));
  const st = initialState(plain);
  assert.equal(bookSpend(st, { jobId: 'a', backend: 'claude', costUsd: 100 }, 0), false);
  assert.equal(st.spends, undefined);
  assert.equal(viewOf(st, 0).budgets, undefined);
});

test('spend: the reported cost, else tokens at the backend price, else nothing', () => {
  const prices = { llm: 3 };
  assert.equal(spendUsd(prices, { jobId: 'a', backend: 'claude', costUsd: 0.25, spendTokens: 1e6 }), 0.25);
  assert.equal(spendUsd(prices, { jobId: 'a', backend: 'llm', spendTokens: 2_000_000 }), 6);
  assert.equal(spendUsd(prices, { jobId: 'a', backend: 'codex', spendTokens: 2_000_000 }), 0, 'no price');
  assert.equal(spendUsd(prices, { jobId: 'a', backend: 'llm' }), 0, 'no tokens');
});

test('a window sums the spends booked less than `per` ago; a duplicate release books nothing', () => {
  const st = stateWith({
    limits: [
      { usd: 10, per: 60 },
      { usd: 100, per: 'hour' },
    ],
    prices: { llm: 2 },
  });
  assert.equal(bookSpend(st, { jobId: 'a', backend: 'claude', costUsd: 4 }, 0), true);
  assert.equal(bookSpend(st, { jobId: 'a', backend: 'claude', costUsd: 4 }, 1), false, 'once per job');
  assert.equal(bookSpend(st, { jobId: 'b', backend: 'llm', spendTokens: 1_500_000 }, 30_000), true);
  assert.equal(bookSpend(st, { jobId: 'c', backend: 'codex', spendTokens: 1_000_000 }, 30_000), false, 'no price');
  const at = (now: number) => budgetViews(st, now).map((b) => [b.scope, b.per, b.spentUsd, b.spent]);
  assert.deepEqual(at(30_000), [
    ['all', '60s', 7, false],
    ['all', 'hour', 7, false],
  ]);
  assert.deepEqual(at(60_000), [
    ['all', '60s', 3, false],
    ['all', 'hour', 7, false],
  ]);
  assert.deepEqual(at(3_600_001)[1], ['all', 'hour', 3, false]);
  bookSpend(st, { jobId: 'd', backend: 'claude', costUsd: 1 }, 3_700_000);
  assert.deepEqual(
    st.spends?.map((s) => s.jobId),
    ['d'],
    'spends beyond the longest window are pruned',
  );
});

test('an overall limit holds background (and interactive only with holdInteractive); the operator never', () => {
  for (const holdInteractive of [false, true]) {
    const st = stateWith({ limits: [{ usd: 1, per: 'day' }], holdInteractive }, { maxSlots: 10 });
    bookSpend(st, { jobId: 'spent', backend: 'claude', costUsd: 1 }, 0);
    enqueue(st, req('b1', 'background'));
    enqueue(st, req('i1', 'interactive'));
    enqueue(st, req('o1', 'operator'));
    assert.deepEqual(granted(st, 1), holdInteractive ? ['o1'] : ['o1', 'i1']);
    const v = viewOf(st, 1);
    assert.deepEqual(
      v.queue.map((q) => [q.jobId, q.heldBy]),
      holdInteractive
        ? [
            ['b1', 'budget'],
            ['i1', 'budget'],
          ]
        : [['b1', 'budget']],
    );
    assert.equal(v.backpressure.on, false, 'held jobs are no load');
    assert.deepEqual(granted(st, 86_400_001), holdInteractive ? ['i1', 'b1'] : ['b1'], 'the window moved');
  }
});

test("a backend's limit holds only jobs whose first backend it is; they block nobody behind them", () => {
  const st = stateWith({ limits: [{ backend: 'claude', usd: 2, per: 'hour' }] }, { maxSlots: 10 });
  bookSpend(st, { jobId: 'x', backend: 'codex', costUsd: 50 }, 0);
  bookSpend(st, { jobId: 'y', backend: 'claude', costUsd: 2 }, 0);
  enqueue(st, req('claude-first', 'background', ['claude', 'codex']));
  enqueue(st, req('codex-first', 'background', ['codex', 'claude']));
  enqueue(st, req('old-request', 'background'));
  assert.deepEqual(granted(st, 1), ['codex-first', 'old-request']);
  assert.deepEqual(
    viewOf(st, 1).queue.map((q) => [q.jobId, q.heldBy]),
    [['claude-first', 'budget']],
  );
  assert.deepEqual(
    viewOf(st, 1).budgets?.map((b) => [b.scope, b.spentUsd, b.spent]),
    [['claude', 2, true]],
    'codex spend does not count',
  );
});

test('the loop wakes when the oldest spend leaves a spent window; the held job is granted then', () => {
  const st = stateWith({ limits: [{ usd: 3, per: 10 }] });
  assert.equal(nextBudgetWakeAt(st, 0), undefined);
  bookSpend(st, { jobId: 'a', backend: 'claude', costUsd: 2 }, 1000);
  assert.equal(nextBudgetWakeAt(st, 1000), undefined, 'not spent: nothing to wake for');
  bookSpend(st, { jobId: 'b', backend: 'claude', costUsd: 2 }, 4000);
  enqueue(st, req('held', 'background'));
  assert.deepEqual(granted(st, 4000), []);
  assert.equal(nextBudgetWakeAt(st, 4000), 11_001, "a's spend leaves the window then");
  assert.deepEqual(granted(st, 10_999), [], 'still in the window');
  assert.deepEqual(granted(st, 11_001), ['held']);
  assert.equal(nextBudgetWakeAt(st, 11_001), undefined);
});

test('one notice per episode: not spent → spent; again only after the budget was free', () => {
  const st = stateWith({ limits: [{ usd: 1, per: 10 }] });
  assert.deepEqual(budgetEpisodes(st, 0), []);
  bookSpend(st, { jobId: 'a', backend: 'claude', costUsd: 1.5 }, 500);
  const [n] = budgetEpisodes(st, 600);
  assert.deepEqual(n, {
    event: 'budget',
    id: 'budget:all:10s:600',
    scope: 'all',
    per: '10s',
    usd: 1,
    spentUsd: 1.5,
    since: new Date(600).toISOString(),
  });
  bookSpend(st, { jobId: 'b', backend: 'claude', costUsd: 1 }, 700);
  assert.deepEqual(budgetEpisodes(st, 800), [], 'the same episode');
  assert.deepEqual(budgetEpisodes(st, 10_701), [], 'free again');
  bookSpend(st, { jobId: 'c', backend: 'claude', costUsd: 1 }, 20_000);
  assert.deepEqual(
    budgetEpisodes(st, 20_000).map((x) => x.id),
    ['budget:all:10s:20000'],
  );
});

test('the idle view (no singleton yet) shows the budgets as the singleton would', () => {
  const s = capacitySettings(
    parseConfig({
      budgets: {
        limits: [
          { usd: 40, per: 'day' },
          { backend: 'claude', usd: 5, per: 'hour' },
        ],
      },
    }),
  );
  assert.deepEqual(s.budgets?.limits, [
    { usd: 40, per: 'day', perSeconds: 86_400 },
    { backend: 'claude', usd: 5, per: 'hour', perSeconds: 3600 },
  ]);
  assert.deepEqual(idleCapacityView(s), viewOf(initialState(s), Date.now()));
});

test('a bad budget is refused naming the field and the value', () => {
  const bad = (budgets: unknown) => () => parseConfig({ budgets });
  assert.throws(bad({ limits: [{ usd: 5, per: 'week' }] }), /"week"[\s\S]*budgets\.limits\.0\.per/);
  assert.throws(bad({ limits: [{ usd: -1, per: 'day' }] }), /\(got -1\)[\s\S]*budgets\.limits\.0\.usd/);
  assert.throws(bad({ limits: [{ usd: 1, per: 0 }] }), /budgets\.limits\.0\.per/);
  assert.throws(bad({ limits: [{ usd: 1, per: 'day', lane: 'x' }] }), /lane/);
  assert.throws(bad({ prices: { llm: -2 } }), /\(got -2\)[\s\S]*budgets\.prices\.llm/);
});
