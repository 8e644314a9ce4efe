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
  /** Spend limits (absent when none are configured, as in settings from before budgets: nothing is held). */
  budgets?: BudgetSettings;
  /** Slots brains (`submit --mcp` jobs) may hold at once (absent: every shared slot but one). */
  brainSlots?: number;
}

/** One limit: `backend` unset counts all spend; `per` is its label (`day`, `hour`, `20s`). */
export interface BudgetLimitSettings {
  backend?: string;
  usd: number;
  per: string;
  perSeconds: number;
}

export interface BudgetSettings {
  limits: BudgetLimitSettings[];
  /** Background work is always held; interactive only when true; the operator lane never. */
  holdInteractive: boolean;
  /** Backend → USD per million tokens (input+output), for a job whose CLI reported no cost. */
  prices: Record<string, number>;
}

/** A finished job's spend in USD, booked at its release on its final backend. */
export interface Spend {
  jobId: string;
  backend: string;
  usd: number;
  at: number;
}

export interface CapacityNotify {
  events: ('backend.limited' | 'backend.authBroken' | 'backpressure' | 'budget')[];
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
  /** A brain: its agent mounts `nightshift mcp` and may wait on the jobs it hands out (see `brainSlots`). */
  brain?: boolean;
}

export interface LeaseReleaseInput {
  jobId: string;
  /** Tokens the CLI reported; omitted when unknown (the estimate stays booked). */
  tokensUsed?: number;
  /**
   * What the job spent, for budgets (only from jobs after the `budget-spend` patch): its final backend, the USD its
   * CLI reported, else its input+output tokens (the singleton prices them by backend).
   */
  backend?: string;
  costUsd?: number;
  spendTokens?: number;
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
    /** A spent budget holds it (new grants only): it keeps its place until the budget's window moves. */
    heldBy?: 'budget' | 'brain-slots';
  }[];
  counters: CapacityCounters;
  /** Backends known to be limited, until (epoch ms). */
  limitedBackends: Record<string, number>;
  /** Backends whose auth is known broken, since when and why: until `nightshift backends check|clear`. */
  authBroken: Record<string, AuthBrokenMark>;
  /** Each budget's spend in its window (absent when no budgets are configured). */
  budgets?: BudgetView[];
}

export interface BudgetView {
  /** `all`, or the backend whose spend it counts. */
  scope: string;
  per: string;
  windowSeconds: number;
  usd: number;
  spentUsd: number;
  spent: boolean;
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
    ...(s.budgets
      ? {
          budgets: s.budgets.limits.map((l) => ({
            scope: l.backend ?? 'all',
            per: l.per,
            windowSeconds: l.perSeconds,
            usd: l.usd,
            spentUsd: 0,
            spent: false,
          })),
        }
      : {}),
  };
}
