// Which queued requests get a lease now: operator > interactive > background, FIFO within a lane.
import type { Lane } from '../../protocol/job.js';
import { backpressure, prune, windowTokens, type CapacityState, type LeaseRequest } from './state.js';
import { waitingForAuth } from './auth-broken.js';
import { budgetHold } from './budget.js';
import { brainWaits } from './brains.js';

const LANE_ORDER: Lane[] = ['operator', 'interactive', 'background'];

/** Admit deferred background requests while backpressure is off (admission control). */
function admitBackground(state: CapacityState, now: number): void {
  for (const req of state.queue) {
    if (req.admitted) continue;
    if (backpressure(state, now).on) return;
    req.admitted = true;
  }
}

function canGrant(state: CapacityState, req: LeaseRequest, now: number): boolean {
  const s = state.settings;
  const used = state.holders.length;
  if (used >= s.maxSlots) return false;
  if (req.lane === 'operator') return true; // any free slot, no budget or backpressure gate
  const shared = state.holders.filter((h) => h.lane !== 'operator').length;
  if (shared >= s.maxSlots - s.reservedOperatorSlots) return false;
  if (!req.admitted) return false;
  if (req.lane === 'background' && backpressure(state, now).tokenPressure) return false;
  const tokens = windowTokens(state, now);
  // An estimate larger than the whole budget may still run alone, or it would starve forever.
  return tokens + req.estimate <= s.tokenBudget || (tokens === 0 && state.holders.length === 0);
}

/** Moves every grantable request to the holders and returns them. */
export function takeGrants(state: CapacityState, now: number): LeaseRequest[] {
  prune(state, now);
  const granted: LeaseRequest[] = [];
  // Grants shrink the queue, which may admit more background work, which may be grantable: repeat to a fixpoint.
  for (;;) {
    admitBackground(state, now);
    const pass = grantPass(state, now);
    if (pass.length === 0) return granted;
    granted.push(...pass);
  }
}

function grantPass(state: CapacityState, now: number): LeaseRequest[] {
  const granted: LeaseRequest[] = [];
  const held = budgetHold(state, now);
  for (const lane of LANE_ORDER) {
    // A job whose every backend is auth-broken, or that a spent budget holds, keeps its place but blocks nobody.
    for (const req of state.queue.filter((q) => q.lane === lane && !waitingForAuth(state, q) && !held(q))) {
      if (brainWaits(state, req)) continue; // keeps its place; the work brains hand out is not blocked behind it
      if (!canGrant(state, req, now)) break; // FIFO: nobody overtakes a blocked head of lane
      state.queue.splice(state.queue.indexOf(req), 1);
      const brain = req.brain ? { brain: true } : {};
      state.holders.push({ jobId: req.jobId, lane, kind: req.kind, reserved: req.estimate, grantedAt: now, ...brain });
      state.counters.granted++;
      granted.push(req);
    }
  }
  return granted;
}

/** When the next charge leaves the window (a blocked request may fit then). */
export function nextSlideAt(state: CapacityState): number | undefined {
  if (state.queue.length === 0 || state.charges.length === 0) return undefined;
  const oldest = Math.min(...state.charges.map((c) => c.at));
  return oldest + state.settings.windowSeconds * 1000 + 1;
}
