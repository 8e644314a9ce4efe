// The capacity singleton's contract: its settings, the lease messages jobs exchange with it, and its view.
import type { Lane, NotifyRetry } from './job.js';

export interface CapacitySettings {
  maxSlots: number;
  reservedOperatorSlots: number;
  tokenBudget: number;
  windowSeconds: number;
  backpressureQueueDepth: number;
  backpressureTokenRatio: number;
  reconcileSeconds: number;
  continueAsNewEvents: number;
  /** Webhooks want these capacity events (absent: none, as in settings from before notifications). */
  notify?: CapacityNotify;
}

export interface CapacityNotify {
  events: ('backend.limited' | 'backend.authBroken' | 'backpressure')[];
  retry: NotifyRetry;
  /** Backpressure on for longer than this notifies, once per episode. */
  backpressureMinutes: number;
  /** The deployment's queue, for the notices' workflow ids (from the input: a replay runs on another queue). */
  taskQueue: string;
}

export interface Charge {
  jobId: string;
  tokens: number;
  at: number;
}

export interface CapacityCounters {
  granted: number;
  released: number;
  reclaimed: number;
  runs: number;
}

export interface LeaseRequestInput {
  jobId: string;
  lane: Lane;
  kind: string;
  estimate: number;
  requestedAt: number;
  /** The backends the job may run on, in order (absent in histories from before auth-broken marks). */
  backends?: string[];
}

export interface LeaseReleaseInput {
  jobId: string;
  /** Tokens the CLI reported; omitted when unknown (the estimate stays booked). */
  tokensUsed?: number;
}

export interface LeaseGrant {
  jobId: string;
  grantedAt: number;
  /** Backends known to be rate-limited or out of quota, until (epoch ms): new jobs skip them. */
  limitedBackends?: Record<string, number>;
  /** Backends whose auth is known broken: new jobs skip them (absent when none, as in older grants). */
  authBroken?: string[];
}

export interface BackendLimitInput {
  backend: string;
  until: number;
}

/** A job's agent failed AuthFailed on this backend: it stays broken until an operator or a probe clears it. */
export interface BackendAuthBrokenInput {
  backend: string;
  message: string;
  at: number;
}

/** Clears a backend's auth-broken and rate-limit marks. */
export interface BackendClearedInput {
  backend: string;
  by: 'operator' | 'probe';
}

export interface AuthBrokenMark {
  since: number;
  message: string;
}

export interface LaneView {
  running: number;
  queued: number;
  deferred: number;
}

/** What `nightshift capacity` shows: slots per lane, queues, tokens, backpressure and why. */
export interface CapacityView {
  slots: { max: number; reservedOperator: number; used: number; free: number; sharedFree: number };
  lanes: Record<Lane, LaneView>;
  tokens: { inWindow: number; budget: number; windowSeconds: number; reservedByRunning: number; charges: Charge[] };
  backpressure: { on: boolean; reasons: string[] };
  holders: { jobId: string; lane: Lane; kind: string; grantedAt: number; reserved: number }[];
  /** `waitingForAuth`: every backend the job may run on is auth-broken; it keeps its place until one is cleared. */
  queue: {
    jobId: string;
    lane: Lane;
    kind: string;
    requestedAt: number;
    admitted: boolean;
    waitingForAuth?: boolean;
  }[];
  counters: CapacityCounters;
  /** Backends known to be limited, until (epoch ms). */
  limitedBackends: Record<string, number>;
  /** Backends whose auth is known broken, since when and why: until `nightshift backends check|clear`. */
  authBroken: Record<string, AuthBrokenMark>;
}

/** The view of a capacity singleton that has not started yet: every slot free, nothing queued or charged. */
export function idleCapacityView(s: CapacitySettings): CapacityView {
  const lane: LaneView = { running: 0, queued: 0, deferred: 0 };
  return {
    slots: {
      max: s.maxSlots,
      reservedOperator: s.reservedOperatorSlots,
      used: 0,
      free: s.maxSlots,
      sharedFree: s.maxSlots - s.reservedOperatorSlots,
    },
    lanes: { operator: { ...lane }, interactive: { ...lane }, background: { ...lane } },
    tokens: { inWindow: 0, budget: s.tokenBudget, windowSeconds: s.windowSeconds, reservedByRunning: 0, charges: [] },
    backpressure: { on: false, reasons: [] },
    holders: [],
    queue: [],
    counters: { granted: 0, released: 0, reclaimed: 0, runs: 1 },
    limitedBackends: {},
    authBroken: {},
  };
}
