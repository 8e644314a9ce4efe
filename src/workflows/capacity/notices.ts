// What the capacity singleton tells webhooks, once per episode: a backend newly limited or auth-broken, and
// backpressure on for longer than the settings' minutes. Pure: the workflow starts the queued notices.
import type { CapacityNotify } from '../../protocol/capacity.js';
import {
  backendAuthBroken,
  backendLimited,
  backpressureOn,
  notifyWorkflowId,
  type Notification,
} from '../../protocol/notify.js';
import { backpressure, type CapacityState } from './state.js';

export type CapacityEvent = CapacityNotify['events'][number];

/** For the loop to start: `notify-limited-<backend>-<until>`, `…-authbroken-<backend>-<since>`, `…-backpressure-<since>`. */
export function queueNotice(state: CapacityState, n: Notification): boolean {
  const settings = state.settings.notify;
  if (!settings) return false;
  const { retry, taskQueue } = settings;
  const name = n.id
    .replace(/^backend\./, '')
    .replace(/:/g, '-')
    .toLowerCase();
  const workflowId = notifyWorkflowId(name, taskQueue);
  state.notices = [...(state.notices ?? []), { workflowId, input: { notification: n, retry } }];
  return true;
}

/** A first limit opens an episode; a new limit while one is in force only extends it. */
export const limitedNotice = (state: CapacityState, backend: string, until: number, now: number) =>
  (state.limits?.[backend] ?? 0) > now ? undefined : backendLimited(backend, until);

/** A first mark opens an episode (later marks keep its `since`), until the backend is cleared. */
export const authBrokenNotice = (state: CapacityState, backend: string, message: string, at: number) =>
  state.authBroken?.[backend] === undefined ? backendAuthBroken(backend, at, message) : undefined;

/** Follows the episode; the notice once backpressure has been on for `backpressureMinutes`. */
export function pressureNotice(state: CapacityState, now: number): Notification | undefined {
  const minutes = state.settings.notify?.backpressureMinutes;
  const bp = backpressure(state, now);
  if (minutes === undefined || !bp.on) {
    delete state.pressure;
    return undefined;
  }
  const episode = (state.pressure ??= { since: now, notified: false });
  if (episode.notified || now - episode.since < minutes * 60_000) return undefined;
  episode.notified = true;
  return backpressureOn(episode.since, now, bp.reasons);
}

/** When an open episode becomes due (the loop wakes then). */
export function pressureDueAt(state: CapacityState): number | undefined {
  const minutes = state.settings.notify?.backpressureMinutes;
  if (!state.pressure || state.pressure.notified || minutes === undefined) return undefined;
  return state.pressure.since + minutes * 60_000;
}
