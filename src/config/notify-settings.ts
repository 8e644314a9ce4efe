// What a job's spec and the capacity singleton's settings carry of `notify`: whether anyone listens, and the
// retries (workflows cannot read config). Which webhooks, with their URLs and headers, stays in the worker's config.
import type { CapacityNotify } from '../protocol/capacity.js';
import type { EndedStatus, JobNotify, Lane } from '../protocol/job.js';
import type { NotifyEvent } from './operator-schema.js';
import type { Config } from './schema.js';

const CAPACITY_EVENTS = ['backend.limited', 'backend.authBroken', 'backpressure', 'budget'] as const;

const listening = (config: Config, event: NotifyEvent) =>
  config.notify.webhooks.filter((w) => w.events.includes(event));

/** Set when a job.ended webhook covers the job's lane; `statuses` only when every such webhook filters them. */
export function jobNotifySettings(config: Config, lane: Lane): JobNotify | undefined {
  const hooks = listening(config, 'job.ended').filter((w) => !w.lanes || w.lanes.includes(lane));
  if (hooks.length === 0) return undefined;
  const notify: JobNotify = { retry: { ...config.notify.retry } };
  if (hooks.every((w) => w.statuses)) {
    notify.statuses = [...new Set(hooks.flatMap((w): EndedStatus[] => w.statuses ?? []))];
  }
  return notify;
}

/** The capacity events some webhook wants, and how long backpressure may last before it notifies. */
export function capacityNotifySettings(config: Config): CapacityNotify | undefined {
  // `budget` only with limits: the settings of a deployment without budgets stay what they were.
  const events = CAPACITY_EVENTS.filter(
    (e) => listening(config, e).length > 0 && (e !== 'budget' || config.budgets.limits.length > 0),
  );
  if (events.length === 0) return undefined;
  const { retry, backpressureMinutes } = config.notify;
  return { events, retry: { ...retry }, backpressureMinutes, taskQueue: config.temporal.taskQueue };
}
