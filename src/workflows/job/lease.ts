import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import { chargedTokens, type TokenUsage } from '../../protocol/tokens.js';
import { backendAuthBrokenSignal, backendLimitedSignal, releaseLeaseSignal } from '../../protocol/signals.js';

/** Release by signal; the singleton treats duplicates as no-ops, and a missing singleton is not our failure. */
export async function releaseLease(capacityId: string, jobId: string, tokens: TokenUsage | undefined): Promise<void> {
  try {
    const tokensUsed = tokens ? chargedTokens(tokens) : undefined;
    await getExternalWorkflowHandle(capacityId).signal(releaseLeaseSignal, {
      jobId,
      ...(tokensUsed !== undefined ? { tokensUsed } : {}),
    });
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
