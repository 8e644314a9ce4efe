// Which of the worker's webhooks a notification goes to, and how a webhook is named where it may be seen
// (payloads, logs, errors): by its index and host, never its URL's path or credentials (a Slack URL is a secret).
import { createHash } from 'node:crypto';
import type { Webhook } from '../config/operator-schema.js';
import type { Notification, NotifyTarget } from '../protocol/notify.js';

export function wants(w: Webhook, n: Notification): boolean {
  if (!w.events.includes(n.event)) return false;
  if (n.event !== 'job.ended') return true;
  return (!w.statuses || w.statuses.includes(n.status)) && (!w.lanes || w.lanes.includes(n.lane));
}

/** A short hash of the URL: the same webhook after the config was reordered or edited elsewhere. */
export const targetKey = (w: Webhook): string => createHash('sha256').update(w.url).digest('hex').slice(0, 12);

export function targetsFor(webhooks: readonly Webhook[], n: Notification): NotifyTarget[] {
  return webhooks.flatMap((w, index) => (wants(w, n) ? [{ index, key: targetKey(w) }] : []));
}

/** The target's webhook, at its index or (the config changed since) wherever its key now is. */
export function webhookOf(webhooks: readonly Webhook[], t: NotifyTarget): Webhook | undefined {
  const at = webhooks[t.index];
  return at && targetKey(at) === t.key ? at : webhooks.find((w) => targetKey(w) === t.key);
}

/** `#0 (hooks.slack.com)`: enough to find it in the config. */
export function describeTarget(t: NotifyTarget, w?: Webhook): string {
  let host = '?';
  try {
    if (w) host = new URL(w.url).host;
  } catch {
    // the schema validated the URL; a name without a host is still a name
  }
  return `#${t.index} (${host})`;
}
