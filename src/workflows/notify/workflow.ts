// Notifications as workflows: one notification to every webhook that wants it, one delivery activity per target
// with the config's retries; a target that runs out of attempts is logged, never anyone's failure. Started as an
// abandoned child with a deterministic id (jobs, the capacity singleton), or by the digest's Temporal Schedule.
import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../protocol/activities.js';
import { decodeFailure } from '../../protocol/failures.js';
import {
  digestOf,
  type Digest,
  type DigestInput,
  type Notification,
  type NotifyInput,
  type NotifyOutcome,
  type NotifyRetry,
} from '../../protocol/notify.js';

const DAY_MS = 24 * 3600 * 1000;

const { notifyTargets, digestFigures } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumAttempts: 5 },
});

export async function notifyWorkflow(input: NotifyInput): Promise<NotifyOutcome> {
  return deliverAll(input.notification, input.retry);
}

/** The figures of a window (default: the 24 hours before this run started) to the digest's webhooks. */
export async function digestWorkflow(input: DigestInput): Promise<NotifyOutcome & { digest: Digest }> {
  const until = workflowInfo().startTime.getTime();
  const window = input.window ?? { since: until - DAY_MS, until };
  const digest = digestOf(await digestFigures(window));
  return { ...(await deliverAll(digest, input.retry)), digest };
}

async function deliverAll(notification: Notification, retry: NotifyRetry): Promise<NotifyOutcome> {
  const { deliverNotification } = proxyActivities<Activities>({
    // The POST times out by itself; this is the backstop.
    startToCloseTimeout: `${retry.timeoutSeconds + 10} seconds`,
    retry: {
      initialInterval: `${retry.initialSeconds} seconds`,
      backoffCoefficient: 2,
      maximumInterval: '10 minutes',
      maximumAttempts: retry.maxAttempts,
    },
  });
  let targets: Awaited<ReturnType<typeof notifyTargets>>;
  try {
    targets = await notifyTargets(notification);
  } catch (err) {
    log.warn('notification not sent: its targets are unknown', {
      id: notification.id,
      error: decodeFailure(err).message,
    });
    return { delivered: [], failed: [] };
  }
  const outcome: NotifyOutcome = { delivered: [], failed: [] };
  await Promise.all(
    targets.map(async (target) => {
      try {
        await deliverNotification({ target, notification, timeoutSeconds: retry.timeoutSeconds });
        outcome.delivered.push(`#${target.index}`);
      } catch (err) {
        outcome.failed.push(`#${target.index}`);
        log.warn('notification not delivered: out of attempts', {
          id: notification.id,
          target: `#${target.index}`,
          error: decodeFailure(err).message,
        });
      }
    }),
  );
  return outcome;
}
