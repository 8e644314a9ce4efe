// The capacity singleton: grants slot and token leases by signal, reclaims leases of closed jobs.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../protocol/activities.js';
import {
  activeLimits,
  adopt,
  enqueue,
  initialState,
  noteLimit,
  release,
  type CapacityState,
  type LeaseRequest,
} from './state.js';
import type { CapacitySettings } from '../../protocol/capacity.js';
import { nextSlideAt, takeGrants } from './grants.js';
import { authBrokenBackends, clearBackend, noteAuthBroken } from './auth-broken.js';
import { bookSpend, budgetEpisodes, hasBudgets, nextBudgetWakeAt } from './budget.js';
import { viewOf } from './view.js';
import { WakeTimer } from './wake.js';
import { authBrokenNotice, limitedNotice, pressureDueAt, pressureNotice, queueNotice } from './notices.js';
import type { CapacityEvent } from './notices.js';
import { startNotification } from '../job/child.js';
import type { Notification } from '../../protocol/notify.js';
import {
  backendAuthBrokenSignal,
  backendClearedSignal,
  backendLimitedSignal,
  capacityQuery,
  leaseGrantedSignal,
  reconfigureSignal,
  releaseLeaseSignal,
  requestLeaseSignal,
} from '../../protocol/signals.js';
import type { LeaseGrant, LeaseRequestInput } from '../../protocol/capacity.js';

const { closedWorkflows } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});
// One signal per granted job, sent by the worker running this task.
const { grantLeases } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});
// One query per running job: a longer timeout than closedWorkflows' describe calls.
const { runningLeases } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3 },
});

export interface CapacityInput {
  settings: CapacitySettings;
  state?: CapacityState;
}

export async function capacityWorkflow(input: CapacityInput): Promise<void> {
  const state = input.state ?? initialState(input.settings);
  let dirty = true;
  // Settings from before notifications never ask, so their histories replay without the patch or a notice.
  const wants = (e: CapacityEvent): boolean =>
    state.settings.notify?.events.includes(e) === true && patched('capacity-notify');
  const notice = (n: Notification | undefined): boolean =>
    n !== undefined && wants(n.event as CapacityEvent) && queueNotice(state, n);
  setHandler(requestLeaseSignal, (req: LeaseRequestInput) => {
    dirty = enqueue(state, req) || dirty;
  });
  setHandler(releaseLeaseSignal, (r) => {
    dirty = release(state, r.jobId, r.tokensUsed, Date.now()) || dirty;
    // Settings without budgets (every history from before them) book nothing: they replay unchanged.
    if (hasBudgets(state)) dirty = bookSpend(state, r, Date.now()) || dirty;
  });
  setHandler(backendLimitedSignal, ({ backend, until }) => {
    const n = limitedNotice(state, backend, until, Date.now());
    noteLimit(state, backend, until);
    dirty = notice(n) || dirty; // the loop starts it
  });
  setHandler(backendAuthBrokenSignal, ({ backend, message, at }) => {
    const n = authBrokenNotice(state, backend, message, at);
    noteAuthBroken(state, backend, message, at);
    dirty = notice(n) || dirty;
  });
  setHandler(backendClearedSignal, ({ backend, by }) => {
    if (!clearBackend(state, backend)) return;
    log.info('backend cleared', { backend, by });
    dirty = true; // jobs waiting for it may be granted now
  });
  setHandler(reconfigureSignal, (patch) => {
    state.settings = { ...state.settings, ...patch };
    dirty = true;
  });
  setHandler(capacityQuery, () => viewOf(state, Date.now()));
  // A run from scratch (the first, or after a terminate) adopts the leases running jobs hold; histories recorded
  // before this patch replay without the activity.
  if (!input.state && patched('capacity-recover')) await recover(state);

  let nextReconcile = Date.now() + state.settings.reconcileSeconds * 1000;
  let timer: WakeTimer | false | undefined; // decided on the first pass
  for (;;) {
    const busy = state.holders.length > 0 || state.queue.length > 0;
    const wakeAt = Math.min(
      nextSlideAt(state) ?? Infinity,
      busy ? nextReconcile : Infinity,
      pressureDueAt(state) ?? Infinity,
      (hasBudgets(state) ? nextBudgetWakeAt(state, Date.now()) : undefined) ?? Infinity,
    );
    const mustRoll = (): boolean => shouldContinueAsNew(state);
    // Runs from before the one timer started (and cancelled) a timer on every pass: they replay as they were.
    if (timer === undefined) timer = patched('capacity-one-timer') ? new WakeTimer() : false;
    if (timer) {
      const t = timer;
      t.arm(wakeAt, Date.now());
      await condition(() => dirty || mustRoll() || t.ringing);
      t.reset();
    } else if (wakeAt === Infinity) await condition(() => dirty || mustRoll());
    else await condition(() => dirty || mustRoll(), Math.max(1, wakeAt - Date.now()));
    dirty = false;
    if (busy && Date.now() >= nextReconcile) {
      await reconcile(state);
      nextReconcile = Date.now() + state.settings.reconcileSeconds * 1000;
    }
    await grantAll(state, takeGrants(state, Date.now()));
    if (hasBudgets(state)) for (const n of budgetEpisodes(state, Date.now())) notice(n);
    if (wants('backpressure')) notice(pressureNotice(state, Date.now()));
    else delete state.pressure; // no one listens (any more): nothing is due
    await startNotices(state);
    if (mustRoll()) {
      await condition(allHandlersFinished);
      // Runs before this patch served a signal that arrived meanwhile first, so a steady stream of signals kept
      // them from ever rolling; the state (queue included) travels with the new run, which serves it at once.
      if (dirty && !patched('capacity-roll-busy')) continue;
      state.counters.runs++;
      await continueAsNew<typeof capacityWorkflow>({ settings: state.settings, state });
    }
  }
}

/** Abandoned children with the episode's id: a singleton that rolls or replays never sends one twice. */
async function startNotices(state: CapacityState): Promise<void> {
  const notices = state.notices ?? [];
  if (notices.length === 0) return;
  state.notices = [];
  await Promise.all(notices.map((n) => startNotification(n.workflowId, n.input)));
}

function shouldContinueAsNew(state: CapacityState): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= state.settings.continueAsNewEvents;
}

/**
 * The grants go out in one local activity: no signal events and no workflow task to see them delivered. Runs from
 * before the patch (and a batch the activity could not send) signal each job from the workflow.
 */
async function grantAll(state: CapacityState, granted: LeaseRequest[]): Promise<void> {
  if (granted.length === 0) return;
  const grants = grantsOf(state, granted);
  if (patched('grant-by-activity')) {
    try {
      const gone = await grantLeases(grants);
      for (const jobId of gone) release(state, jobId, 0, Date.now());
      return;
    } catch (err) {
      log.warn('grants not sent by activity; signalling each job', { error: String(err) });
    }
  }
  await Promise.all(grants.map((g) => grant(state, g)));
}

/** One pass's grants: the limits and auth-broken marks are the same for all of them, so they are read once. */
function grantsOf(state: CapacityState, granted: LeaseRequest[]): LeaseGrant[] {
  const now = Date.now();
  const limitedBackends = activeLimits(state, now);
  const broken = authBrokenBackends(state); // only when there are any: grants in older histories stay byte-equal
  const authBroken = broken.length > 0 ? { authBroken: broken } : {};
  return granted.map((req) => ({ jobId: req.jobId, grantedAt: now, limitedBackends, ...authBroken }));
}

/** A job that is gone cannot be granted: free its slot instead of failing the singleton. */
async function grant(state: CapacityState, grant: LeaseGrant): Promise<void> {
  const { jobId } = grant;
  try {
    await getExternalWorkflowHandle(jobId).signal(leaseGrantedSignal, grant);
  } catch (err) {
    log.warn('grant undeliverable; freeing the slot', { jobId, error: String(err) });
    release(state, jobId, 0, Date.now());
  }
}

/** Leases held (or requested) by workflows that have closed are reclaimed. */
async function reconcile(state: CapacityState): Promise<void> {
  const ids = [...state.holders.map((h) => h.jobId), ...state.queue.map((q) => q.jobId)];
  if (ids.length === 0) return;
  const closed = await closedWorkflows(ids);
  for (const jobId of closed) {
    const held = state.holders.some((h) => h.jobId === jobId);
    if (release(state, jobId, undefined, Date.now()) && held) state.counters.reclaimed++;
  }
}

/** Jobs still running with a lease granted by an earlier (lost) run hold their slots again; waiting ones queue. */
async function recover(state: CapacityState): Promise<void> {
  let leases: Awaited<ReturnType<typeof runningLeases>>;
  try {
    leases = await runningLeases();
  } catch (err) {
    // The singleton must not fail over a lookup: jobs' own requests and the reconcile still work without it.
    log.warn('could not list running jobs; starting with no holders', { error: String(err) });
    return;
  }
  const adopted = leases.filter((lease) => adopt(state, lease));
  state.queue.sort((a, b) => a.requestedAt - b.requestedAt); // the lost run's order: oldest request first
  if (adopted.length > 0) log.info('adopted the leases of running jobs', { jobIds: adopted.map((l) => l.jobId) });
}
