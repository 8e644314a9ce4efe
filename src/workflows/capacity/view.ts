import type { CapacityView, LaneView } from '../../protocol/capacity.js';
import type { Lane } from '../../protocol/job.js';
import { backpressure, windowTokens, type CapacityState } from './state.js';
import { waitingForAuth } from './auth-broken.js';
import { budgetHold, budgetViews, hasBudgets } from './budget.js';
import { brainWaits } from './brains.js';

export function viewOf(state: CapacityState, now: number): CapacityView {
  const s = state.settings;
  const lane = (l: Lane): LaneView => ({
    running: state.holders.filter((h) => h.lane === l).length,
    queued: state.queue.filter((q) => q.lane === l && q.admitted).length,
    deferred: state.queue.filter((q) => q.lane === l && !q.admitted).length,
  });
  const shared = state.holders.filter((h) => h.lane !== 'operator').length;
  const bp = backpressure(state, now);
  const held = budgetHold(state, now);
  return {
    slots: {
      max: s.maxSlots,
      reservedOperator: s.reservedOperatorSlots,
      used: state.holders.length,
      free: s.maxSlots - state.holders.length,
      sharedFree: Math.max(
        0,
        Math.min(s.maxSlots - s.reservedOperatorSlots - shared, s.maxSlots - state.holders.length),
      ),
    },
    lanes: { operator: lane('operator'), interactive: lane('interactive'), background: lane('background') },
    tokens: {
      inWindow: windowTokens(state, now),
      budget: s.tokenBudget,
      windowSeconds: s.windowSeconds,
      reservedByRunning: state.holders.reduce((sum, h) => sum + h.reserved, 0),
      charges: state.charges.filter((c) => c.at > now - s.windowSeconds * 1000).map((c) => ({ ...c })),
    },
    backpressure: { on: bp.on, reasons: bp.reasons },
    holders: state.holders.map((h) => ({ ...h })),
    queue: state.queue.map((q) => ({
      jobId: q.jobId,
      lane: q.lane,
      kind: q.kind,
      requestedAt: q.requestedAt,
      admitted: q.admitted,
      ...(waitingForAuth(state, q) ? { waitingForAuth: true } : {}),
      ...(held(q) ? { heldBy: 'budget' as const } : brainWaits(state, q) ? { heldBy: 'brain-slots' as const } : {}),
    })),
    counters: { ...state.counters },
    limitedBackends: Object.fromEntries(Object.entries(state.limits ?? {}).filter(([, until]) => until > now)),
    authBroken: Object.fromEntries(Object.entries(state.authBroken ?? {}).map(([b, m]) => [b, { ...m }])),
    ...(hasBudgets(state) ? { budgets: budgetViews(state, now) } : {}),
  };
}
