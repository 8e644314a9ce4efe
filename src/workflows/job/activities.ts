import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../protocol/activities.js';
import { NON_RETRYABLE } from '../../protocol/failures.js';
import type { JobSpec } from '../../protocol/job.js';

/** Activity proxies with the timeouts and retry policy a job's spec asks for. */
export function jobActivities(spec: JobSpec) {
  const lease = proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumAttempts: 10 },
  });
  const short = proxyActivities<Activities>({
    startToCloseTimeout: `${spec.timeoutSeconds + 60} seconds`,
    retry: { maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE },
  });
  const agent = proxyActivities<Activities>({
    // The activity enforces the job timeout itself (and kills the process group); this is the backstop.
    startToCloseTimeout: `${spec.timeoutSeconds + 30} seconds`,
    heartbeatTimeout: `${Math.max(spec.heartbeatSeconds * 3, 5)} seconds`,
    // On cancel, wait until the activity has killed the process group before the lease is released.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      initialInterval: '2 seconds',
      backoffCoefficient: 2,
      maximumAttempts: spec.maxAttempts,
      nonRetryableErrorTypes: NON_RETRYABLE,
    },
  });
  return { lease, short, agent };
}
