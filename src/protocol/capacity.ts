// The capacity singleton's contract: its settings, the lease messages jobs exchange with it, and its view.
import type { Lane } from './job.js';

export interface CapacitySettings {
  maxSlots: number;
  reservedOperatorSlots: number;
  tokenBudget: number;
  windowSeconds: number;
  backpressureQueueDepth: number;
  backpressureTokenRatio: number;
  reconcileSeconds: number;
  continueAsNewEvents: number;
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
}

export interface BackendLimitInput {
  backend: string;
  until: number;
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
  queue: { jobId: string; lane: Lane; kind: string; requestedAt: number; admitted: boolean }[];
  counters: CapacityCounters;
  /** Backends known to be limited, until (epoch ms). */
  limitedBackends: Record<string, number>;
}
