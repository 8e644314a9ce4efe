import { ActivityCancellationType, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../protocol/activities.js';
import { NON_RETRYABLE } from '../../protocol/failures.js';
import type { JobSpec } from '../../protocol/job.js';

// A heartbeat timeout on a host queue means the host stopped (its retry would wait there): the workflow moves instead.
const HEARTBEAT_LOST = 'TemporalTimeout:Heartbeat';
const DEFAULT_HOST_LOST_SECONDS = 30; // specs from before the fleet carry none

/**
 * Activity proxies with the timeouts and retry policy a job's spec asks for. With `hostQueue`, they reach only
 * the host that holds the job's workspace, and a host that stops polling fails them (schedule-to-start) instead
 * of leaving them queued forever.
 */
export function jobActivities(spec: JobSpec, hostQueue?: string) {
  const pin = hostQueue
    ? { taskQueue: hostQueue, scheduleToStartTimeout: `${spec.hostLostSeconds ?? DEFAULT_HOST_LOST_SECONDS} seconds` }
    : {};
  const nonRetryable = hostQueue ? [...NON_RETRYABLE, HEARTBEAT_LOST] : NON_RETRYABLE;
  const heartbeatTimeout = `${Math.max(spec.heartbeatSeconds * 3, 5)} seconds`;
  const lease = proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumAttempts: 10 },
  });
  const short = proxyActivities<Activities>({
    ...pin,
    startToCloseTimeout: `${spec.timeoutSeconds + 60} seconds`,
    retry: { maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE },
  });
  // The check heartbeats while it runs, so a host lost mid-check is seen within the heartbeat timeout.
  const check = hostQueue
    ? proxyActivities<Activities>({
        ...pin,
        startToCloseTimeout: `${spec.timeoutSeconds + 60} seconds`,
        heartbeatTimeout,
        retry: { maximumAttempts: 3, nonRetryableErrorTypes: nonRetryable },
      })
    : short;
  const agent = proxyActivities<Activities>({
    ...pin,
    // The activity enforces the job timeout itself (and kills the process group); this is the backstop.
    startToCloseTimeout: `${spec.timeoutSeconds + 30} seconds`,
    heartbeatTimeout,
    // On cancel, wait until the activity has killed the process group before the lease is released.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      initialInterval: '2 seconds',
      backoffCoefficient: 2,
      maximumAttempts: spec.maxAttempts,
      nonRetryableErrorTypes: nonRetryable,
    },
  });
  // The engine's own short steps (the lease, the ledger) run in the workflow's task: no activity round trips.
  const local = proxyLocalActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
  });
  // A ledger that is down must not hold the job's end for minutes: three tries, then a warning.
  const ledger = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 3 } });
  return { lease, short, check, agent, local, ledger };
}

export type JobActivities = ReturnType<typeof jobActivities>;
