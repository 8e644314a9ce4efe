import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import { chargedTokens, type TokenUsage } from '../../protocol/tokens.js';
import type { LeaseReleaseInput } from '../../protocol/capacity.js';
import type { JobResult } from '../../protocol/result.js';
import { backendAuthBrokenSignal, backendLimitedSignal, releaseLeaseSignal } from '../../protocol/signals.js';

export type SpendReport = Pick<LeaseReleaseInput, 'backend' | 'costUsd' | 'spendTokens'>;

/** For budgets: the final backend and the USD its CLI reported, else input+output tokens (the singleton prices them). */
export function spendOf(r: JobResult): SpendReport {
  if (r.costUsd !== undefined) return { backend: r.backend, costUsd: r.costUsd };
  return { backend: r.backend, spendTokens: r.tokens.input + r.tokens.output };
}

/** What a job's release tells the singleton: the tokens it was charged and (after `budget-spend`) its spend. */
export function releaseInput(jobId: string, tokens: TokenUsage | undefined, spend?: SpendReport): LeaseReleaseInput {
  const tokensUsed = tokens ? chargedTokens(tokens) : undefined;
  return { jobId, ...(tokensUsed !== undefined ? { tokensUsed } : {}), ...spend };
}

/**
 * Release by signal; the singleton treats duplicates as no-ops, and a missing singleton is not our failure.
 * `spend` only from jobs after the `budget-spend` patch: older histories replay the payload they recorded.
 */
export async function releaseLease(
  capacityId: string,
  jobId: string,
  tokens: TokenUsage | undefined,
  spend?: SpendReport,
): Promise<void> {
  try {
    await getExternalWorkflowHandle(capacityId).signal(releaseLeaseSignal, releaseInput(jobId, tokens, spend));
  } catch (err) {
    log.warn('lease release not delivered (the reconcile will reclaim it)', { jobId, error: String(err) });
  }
}

/** Tell the capacity workflow a backend is limited, so new jobs skip it until then. */
export async function markLimited(capacityId: string, backend: string, until: number): Promise<void> {
  try {
    await getExternalWorkflowHandle(capacityId).signal(backendLimitedSignal, { backend, until });
  } catch (err) {
    log.warn('backend limit not recorded', { backend, error: String(err) });
  }
}

/** Tell the capacity workflow a backend's auth is broken: new jobs skip it, jobs with no other backend wait. */
export async function markAuthBroken(capacityId: string, backend: string, message: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(capacityId).signal(backendAuthBrokenSignal, { backend, message, at: Date.now() });
  } catch (err) {
    log.warn('backend auth-broken mark not recorded', { backend, error: String(err) });
  }
}
