import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import { chargedTokens, type TokenUsage } from '../shared/types.js';
import { releaseLeaseSignal } from './definitions.js';

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
