// Notifications: which of this worker's webhooks want one, its delivery to one of them (one activity per target,
// so a retry never sends again to a target that already has it), and the digest's figures from the ledger.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { postNotification, WebhookError } from '../notify/post.js';
import { describeTarget, targetsFor, webhookOf } from '../notify/targets.js';
import type { DeliverInput, DigestFigures, Notification, NotifyTarget } from '../protocol/notify.js';
import { logger } from '../support/logger.js';
import type { ActivityDeps } from './deps.js';

const log = logger('notify');

export function notifyActivities({ config, ledger }: ActivityDeps) {
  return {
    notifyTargets: async (n: Notification): Promise<NotifyTarget[]> => targetsFor(config.notify.webhooks, n),
    deliverNotification: async ({ target, notification, timeoutSeconds }: DeliverInput): Promise<void> => {
      const webhook = webhookOf(config.notify.webhooks, target);
      const name = describeTarget(target, webhook);
      if (!webhook) {
        // No retry can deliver it (a receiver that refused for good below is final the same way).
        const message = `webhook ${name} is no longer in this worker's config`;
        throw ApplicationFailure.create({ type: 'WebhookGone', message, nonRetryable: true });
      }
      const { attempt } = Context.current().info;
      try {
        await postNotification(webhook, notification, timeoutSeconds, name);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        // The SDK warns of each failed attempt already (with the workflow id); this adds the notification's.
        log.debug({ id: notification.id, target: name, attempt, error: message }, 'notification not delivered');
        if (err instanceof WebhookError && err.final) {
          throw ApplicationFailure.create({ type: 'WebhookRejected', message, nonRetryable: true });
        }
        // A typed failure: the SDK logger reports it as one handled line, not a warning with a stack per attempt.
        throw ApplicationFailure.create({ type: 'WebhookFailed', message });
      }
      log.debug({ id: notification.id, target: name, attempt }, 'notification delivered');
    },
    digestFigures: async ({ since, until }: { since: number; until: number }): Promise<DigestFigures> =>
      (await ledger.get()).digest(since, until),
  };
}
