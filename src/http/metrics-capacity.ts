// Gauges of the capacity singleton's view at scrape time: what `nightshift capacity --json` says, as numbers.
import { defaultProbeSet } from '../client/backends.js';
import type { Config } from '../config/schema.js';
import type { CapacityView } from '../protocol/capacity.js';
import { LANES } from '../protocol/job.js';
import type { FamilySpec, Sample } from './metrics-family.js';

/** The view and the backends to report on (each gets a 0 or 1, so a mark's end shows as a 0, not a gap). */
export interface CapacitySource {
  view: CapacityView;
  backends: string[];
}

export function capacitySource(config: Config, view: CapacityView): CapacitySource {
  const marked = [...Object.keys(view.limitedBackends), ...Object.keys(view.authBroken)];
  return { view, backends: [...new Set([...defaultProbeSet(config, view), ...marked])].sort() };
}

const perLane = (value: (v: CapacityView, lane: (typeof LANES)[number]) => number) => (s: CapacitySource) =>
  LANES.map((lane): Sample => [{ lane }, value(s.view, lane)]);
const one = (value: (v: CapacityView) => number) => (s: CapacitySource) => [[{}, value(s.view)] as Sample];
/** One sample per budget (none when no budgets are configured). */
const perBudget = (value: (b: NonNullable<CapacityView['budgets']>[number]) => number) => (s: CapacitySource) =>
  (s.view.budgets ?? []).map((b): Sample => [{ scope: b.scope, per: b.per }, value(b)]);
const perBackend = (marked: (v: CapacityView, backend: string) => boolean) => (s: CapacitySource) =>
  s.backends.map((backend): Sample => [{ backend }, marked(s.view, backend) ? 1 : 0]);

export const CAPACITY_GAUGES: FamilySpec<CapacitySource>[] = [
  {
    type: 'gauge',
    name: 'nightshift_slots_used',
    help: 'Capacity slots held by running jobs, per lane.',
    labelNames: ['lane'],
    samples: perLane((v, lane) => v.lanes[lane].running),
  },
  {
    type: 'gauge',
    name: 'nightshift_slots_max',
    help: 'Capacity slots in all (capacity.maxSlots).',
    samples: one((v) => v.slots.max),
  },
  {
    type: 'gauge',
    name: 'nightshift_slots_reserved_operator',
    help: 'Slots only the operator lane may use (capacity.reservedOperatorSlots).',
    samples: one((v) => v.slots.reservedOperator),
  },
  {
    type: 'gauge',
    name: 'nightshift_queue_depth',
    help: 'Jobs admitted to the queue and waiting for a slot, per lane.',
    labelNames: ['lane'],
    samples: perLane((v, lane) => v.lanes[lane].queued),
  },
  {
    type: 'gauge',
    name: 'nightshift_queue_deferred',
    help: 'Jobs held back by backpressure, not yet admitted to the queue, per lane.',
    labelNames: ['lane'],
    samples: perLane((v, lane) => v.lanes[lane].deferred),
  },
  {
    type: 'gauge',
    name: 'nightshift_tokens_in_window',
    help: "Tokens charged in the sliding window plus those reserved by running jobs' estimates.",
    samples: one((v) => v.tokens.inWindow),
  },
  {
    type: 'gauge',
    name: 'nightshift_token_budget',
    help: 'Tokens the sliding window may hold (capacity.tokenBudget).',
    samples: one((v) => v.tokens.budget),
  },
  {
    type: 'gauge',
    name: 'nightshift_backpressure',
    help: '1 while backpressure is on (queue depth or token use over its threshold): background work is deferred.',
    samples: one((v) => (v.backpressure.on ? 1 : 0)),
  },
  {
    type: 'gauge',
    name: 'nightshift_backend_limited',
    help: '1 while the backend is known rate-limited or out of quota: new jobs skip it.',
    labelNames: ['backend'],
    samples: perBackend((v, b) => v.limitedBackends[b] !== undefined),
  },
  {
    type: 'gauge',
    name: 'nightshift_backend_auth_broken',
    help: "1 while the backend's auth is known broken (until `nightshift backends check|clear`).",
    labelNames: ['backend'],
    samples: perBackend((v, b) => v.authBroken[b] !== undefined),
  },
  {
    type: 'gauge',
    name: 'nightshift_budget_spent_usd',
    help: "USD spent in the budget's rolling window (scope: all or a backend; per: its window).",
    labelNames: ['scope', 'per'],
    samples: perBudget((b) => b.spentUsd),
  },
  {
    type: 'gauge',
    name: 'nightshift_budget_limit_usd',
    help: 'The budget: at this spend in its window, new background work is held (budgets.limits).',
    labelNames: ['scope', 'per'],
    samples: perBudget((b) => b.usd),
  },
];
