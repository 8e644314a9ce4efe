// The merge queue's state, pure: requests waiting in order, the one landing, the finished (bounded).
import type { LandEntry, LandQueueInput, LandRequest, LandState, LandView } from '../../protocol/land.js';

const DONE_KEPT = 200; // the newest finished landings the view keeps (the ledger keeps every one)

export interface LandQueueState {
  view: LandView;
  /** The requests behind `view.queue`, in the same order. */
  pending: LandRequest[];
}

export const newLandState = (input: LandQueueInput): LandQueueState => ({
  view: { landId: input.landId, repo: input.repo, target: input.target, strategy: input.strategy, queue: [], done: [] },
  pending: [],
});

/** A job already waiting or landing is not queued twice; one that finished may be asked again (a retry). */
export function enqueue(state: LandQueueState, req: LandRequest): void {
  const { view } = state;
  if (view.current?.jobId === req.jobId || view.queue.some((e) => e.jobId === req.jobId)) return;
  state.pending.push(req);
  view.queue.push({ jobId: req.jobId, branch: req.branch, state: 'queued', queuedAt: req.requestedAt });
}

/** The next request and its entry, now current. */
export function takeNext(state: LandQueueState): { req: LandRequest; entry: LandEntry } | undefined {
  const req = state.pending.shift();
  const entry = state.view.queue.shift();
  if (!req || !entry) return undefined;
  state.view.current = entry;
  return { req, entry };
}

export type Ending = Pick<LandEntry, 'commit' | 'files' | 'output' | 'from'>;

export function endEntry(state: LandQueueState, entry: LandEntry, s: LandState, how: Ending, now: number): void {
  Object.assign(entry, how, { state: s, finishedAt: now });
  delete state.view.current;
  state.view.done.push(entry);
  if (state.view.done.length > DONE_KEPT) state.view.done.splice(0, state.view.done.length - DONE_KEPT);
}
