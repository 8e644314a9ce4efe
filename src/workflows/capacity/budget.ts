// Budgets in money, as pure functions: spends booked at release, rolling windows, which requests a spent budget
// holds (new grants only: running jobs are never touched), when the loop must wake, and each episode's notice.
import type { BudgetLimitSettings, BudgetView, LeaseReleaseInput, Spend } from '../../protocol/capacity.js';
import type { Lane } from '../../protocol/job.js';
import { budgetSpent, type Notification } from '../../protocol/notify.js';
import type { CapacityState, LeaseRequest } from './state.js';

/** Settings from before budgets (every older history) have none: nothing is booked, held or woken for. */
export const hasBudgets = (state: CapacityState): boolean => (state.settings.budgets?.limits.length ?? 0) > 0;

export const scopeOf = (limit: BudgetLimitSettings): string => limit.backend ?? 'all';

/** USD of a finished job: what its CLI reported, else its input+output tokens at its backend's price; else 0. */
export function spendUsd(prices: Record<string, number>, r: LeaseReleaseInput): number {
  if (r.costUsd !== undefined) return Math.max(0, r.costUsd);
  const price = r.backend !== undefined ? prices[r.backend] : undefined;
  return price !== undefined && r.spendTokens !== undefined ? (r.spendTokens * price) / 1e6 : 0;
}

/** Books a job's spend once (a duplicate release changes nothing); true when something was booked. */
export function bookSpend(state: CapacityState, r: LeaseReleaseInput, now: number): boolean {
  const budgets = state.settings.budgets;
  if (!budgets || !hasBudgets(state) || r.backend === undefined) return false;
  pruneSpends(state, now);
  const usd = spendUsd(budgets.prices, r);
  if (!(usd > 0) || state.spends?.some((s) => s.jobId === r.jobId)) return false;
  (state.spends ??= []).push({ jobId: r.jobId, backend: r.backend, usd, at: now });
  return true;
}

/** Spends older than the longest window count toward no budget: they need not travel across continue-as-new. */
export function pruneSpends(state: CapacityState, now: number): void {
  if (!state.spends) return;
  const longest = Math.max(0, ...(state.settings.budgets?.limits ?? []).map((l) => l.perSeconds));
  state.spends = state.spends.filter((s) => s.at > now - longest * 1000);
}

const counts = (limit: BudgetLimitSettings, s: Spend): boolean =>
  limit.backend === undefined || limit.backend === s.backend;

/** The spends in a limit's window (booked less than `perSeconds` ago), oldest first. */
function inWindow(state: CapacityState, limit: BudgetLimitSettings, now: number): Spend[] {
  const since = now - limit.perSeconds * 1000;
  return (state.spends ?? []).filter((s) => s.at > since && counts(limit, s)).sort((a, b) => a.at - b.at);
}

export const spentIn = (state: CapacityState, limit: BudgetLimitSettings, now: number): number =>
  inWindow(state, limit, now).reduce((sum, s) => sum + s.usd, 0);

/** The limits whose window holds at least their `usd`. */
export function spentLimits(state: CapacityState, now: number): BudgetLimitSettings[] {
  if (!hasBudgets(state)) return [];
  return (state.settings.budgets?.limits ?? []).filter((l) => spentIn(state, l, now) >= l.usd);
}

const heldLane = (state: CapacityState, lane: Lane): boolean =>
  lane === 'background' || (lane === 'interactive' && state.settings.budgets?.holdInteractive === true);

/**
 * Which requests a spent budget holds now (computed once per pass): every held-lane request under a spent overall
 * limit; under a backend's, those whose first backend it is (they keep their place and block nobody).
 */
export function budgetHold(state: CapacityState, now: number): (req: LeaseRequest) => boolean {
  const spent = spentLimits(state, now);
  if (spent.length === 0) return () => false;
  return (req) =>
    heldLane(state, req.lane) && spent.some((l) => l.backend === undefined || l.backend === req.backends?.[0]);
}

/** When the oldest spend leaves a spent budget's window (a held job may be granted then, or the episode ends). */
export function nextBudgetWakeAt(state: CapacityState, now: number): number | undefined {
  const at = spentLimits(state, now).map((l) => (inWindow(state, l, now)[0]?.at ?? now) + l.perSeconds * 1000 + 1);
  return at.length > 0 ? Math.min(...at) : undefined;
}

export function budgetViews(state: CapacityState, now: number): BudgetView[] {
  return (state.settings.budgets?.limits ?? []).map((l) => {
    const spentUsd = spentIn(state, l, now);
    return {
      scope: scopeOf(l),
      per: l.per,
      windowSeconds: l.perSeconds,
      usd: l.usd,
      spentUsd,
      spent: spentUsd >= l.usd,
    };
  });
}

/** Follows each budget's episode (spent since when); a notice for each that has just become spent. Prunes too. */
export function budgetEpisodes(state: CapacityState, now: number): Notification[] {
  pruneSpends(state, now);
  const open = (state.budgetEpisodes ??= {});
  const notices: Notification[] = [];
  for (const l of state.settings.budgets?.limits ?? []) {
    const key = `${scopeOf(l)}:${l.per}:${l.usd}`;
    const spentUsd = spentIn(state, l, now);
    if (spentUsd < l.usd) delete open[key];
    else if (open[key] === undefined) {
      open[key] = now;
      notices.push(budgetSpent(scopeOf(l), l.per, l.usd, spentUsd, now));
    }
  }
  return notices;
}
