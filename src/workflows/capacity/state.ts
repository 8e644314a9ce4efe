// Pure lease bookkeeping for the capacity workflow: no Temporal imports, so it is unit-testable.
import type { AuthBrokenMark, CapacitySettings, CapacityCounters, Charge, Spend } from '../../protocol/capacity.js';
import type { Lane } from '../../protocol/job.js';
import type { NotifyInput } from '../../protocol/notify.js';
import { waitingForAuth } from './auth-broken.js';
import { budgetHold } from './budget.js';

export interface LeaseRequest {
  jobId: string;
  lane: Lane;
  kind: string;
  estimate: number;
  requestedAt: number;
  /** Background requests wait outside the queue while backpressure is on. */
  admitted: boolean;
  /** The backends the job may run on (absent in requests from before auth-broken marks: never held back). */
  backends?: string[];
  /** A brain's request waits while brains hold `brainSlots` (absent in older requests: no brain). */
  brain?: boolean;
}

export interface Holder {
  jobId: string;
  lane: Lane;
  kind: string;
  reserved: number;
  grantedAt: number;
  brain?: boolean;
}

export interface CapacityState {
  settings: CapacitySettings;
  queue: LeaseRequest[];
  holders: Holder[];
  charges: Charge[];
  /** Recently released job ids: a late duplicate request for them is ignored. */
  recentlyReleased: string[];
  counters: CapacityCounters;
  /** Backend → limited until (epoch ms), as reported by jobs that hit a rate limit or quota. */
  limits?: Record<string, number>;
  /** Backend → since when its auth is broken (a job's AuthFailed); no expiry: an operator or a probe clears it. */
  authBroken?: Record<string, AuthBrokenMark>;
  /** Notifications to start (the loop starts them; they travel across continue-as-new). */
  notices?: Notice[];
  /** Backpressure's current episode while someone wants to hear of it: since when it is on, and if told. */
  pressure?: { since: number; notified: boolean };
  /** Finished jobs' spends (USD) within the longest budget window, and each spent budget's episode start. */
  spends?: Spend[];
  budgetEpisodes?: Record<string, number>;
}

export interface Notice {
  workflowId: string;
  input: NotifyInput;
}

const RECENT_LIMIT = 500;

export function initialState(settings: CapacitySettings): CapacityState {
  return {
    settings,
    queue: [],
    holders: [],
    charges: [],
    recentlyReleased: [],
    counters: { granted: 0, released: 0, reclaimed: 0, runs: 1 },
    limits: {},
    authBroken: {},
  };
}

export function noteLimit(state: CapacityState, backend: string, until: number): void {
  state.limits ??= {};
  state.limits[backend] = Math.max(state.limits[backend] ?? 0, until);
}

/** Limits still in force (expired ones are dropped). */
export function activeLimits(state: CapacityState, now: number): Record<string, number> {
  const active = Object.entries(state.limits ?? {}).filter(([, until]) => until > now);
  state.limits = Object.fromEntries(active);
  return { ...state.limits };
}

const known = (state: CapacityState, id: string): boolean =>
  state.queue.some((q) => q.jobId === id) ||
  state.holders.some((h) => h.jobId === id) ||
  state.recentlyReleased.includes(id);

/** Idempotent: a request for a job already queued, holding or just released changes nothing. */
export function enqueue(state: CapacityState, req: Omit<LeaseRequest, 'admitted'>): boolean {
  if (known(state, req.jobId)) return false;
  state.queue.push({ ...req, admitted: req.lane !== 'background' });
  return true;
}

/** A lease a running job holds (granted by an earlier run) becomes a holder again; an awaited one is queued. */
export function adopt(state: CapacityState, lease: Omit<LeaseRequest, 'admitted'> & { grantedAt?: number }): boolean {
  const { grantedAt, ...req } = lease;
  if (grantedAt === undefined) return enqueue(state, req);
  state.queue = state.queue.filter((q) => q.jobId !== req.jobId); // it already holds: its request is stale
  if (known(state, req.jobId)) return false;
  const { jobId, lane, kind, estimate } = req;
  state.holders.push({ jobId, lane, kind, reserved: estimate, grantedAt });
  return true;
}

/** Idempotent: frees the slot (or drops the queued request) and books the tokens actually used. */
export function release(state: CapacityState, jobId: string, tokensUsed: number | undefined, now: number): boolean {
  const queued = state.queue.findIndex((q) => q.jobId === jobId);
  if (queued >= 0) state.queue.splice(queued, 1);
  const held = state.holders.findIndex((h) => h.jobId === jobId);
  if (held < 0) return remember(state, jobId, queued >= 0);
  const [holder] = state.holders.splice(held, 1);
  const tokens = tokensUsed ?? holder?.reserved ?? 0;
  if (tokens > 0) state.charges.push({ jobId, tokens, at: now });
  state.counters.released++;
  return remember(state, jobId, true);
}

function remember(state: CapacityState, jobId: string, changed: boolean): boolean {
  if (!state.recentlyReleased.includes(jobId)) {
    state.recentlyReleased.push(jobId);
    if (state.recentlyReleased.length > RECENT_LIMIT) state.recentlyReleased.shift();
  }
  return changed;
}

/** Tokens in the rolling window: finished jobs' actual tokens plus running jobs' reservations. */
export function windowTokens(state: CapacityState, now: number): number {
  const since = now - state.settings.windowSeconds * 1000;
  const booked = state.charges.filter((c) => c.at > since).reduce((sum, c) => sum + c.tokens, 0);
  return booked + state.holders.reduce((sum, h) => sum + h.reserved, 0);
}

export function prune(state: CapacityState, now: number): void {
  const since = now - state.settings.windowSeconds * 1000;
  state.charges = state.charges.filter((c) => c.at > since);
}

export interface Backpressure {
  on: boolean;
  reasons: string[];
  tokenPressure: boolean;
}

export function backpressure(state: CapacityState, now: number): Backpressure {
  const s = state.settings;
  // Jobs parked until a backend's auth is fixed, or a budget's window moves, are no load: they push back on no one.
  const held = budgetHold(state, now);
  const depth = state.queue.filter((q) => q.admitted && !waitingForAuth(state, q) && !held(q)).length;
  const tokens = windowTokens(state, now);
  const reasons: string[] = [];
  if (depth >= s.backpressureQueueDepth) reasons.push(`queue depth ${depth} >= ${s.backpressureQueueDepth}`);
  const tokenPressure = tokens >= s.backpressureTokenRatio * s.tokenBudget;
  if (tokenPressure)
    reasons.push(`tokens ${tokens} >= ${Math.round(s.backpressureTokenRatio * 100)}% of ${s.tokenBudget}`);
  return { on: reasons.length > 0, reasons, tokenPressure };
}
